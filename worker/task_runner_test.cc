#include "worker/task_runner.h"

#include "gtest/gtest.h"
#include "worker/handler_registry.h"

namespace fanout::worker {
namespace {

v1::LeasedTask Task(std::vector<std::string> items) {
  v1::LeasedTask t;
  t.mutable_ref()->set_job_id("job-1");
  t.mutable_ref()->set_index(3);
  t.mutable_ref()->set_epoch(2);
  t.set_attempt(1);
  for (std::string& item : items) t.add_items(std::move(item));
  return t;
}

JobInfo Job(const std::string& function) {
  return {"job-1", function, nlohmann::json::object(), absl::Minutes(1)};
}

class TaskRunnerTest : public ::testing::Test {
 protected:
  v1::TaskOutcome Run(const v1::LeasedTask& task, const std::string& function) {
    return RunTask(task, Job(function), *registry_->Find(function), env_);
  }

  std::unique_ptr<HandlerRegistry> registry_ = BuiltinHandlers();
  FakeClock clock_;
  CancelFlag flag_ = std::make_shared<std::atomic<bool>>(false);
  std::vector<std::pair<std::string, double>> commits_;
  std::shared_ptr<std::atomic<bool>> stop_now_ = std::make_shared<std::atomic<bool>>(false);
  RunEnvironment env_{clock_, flag_, stop_now_,
                      [this](absl::string_view cursor, double progress, absl::Time) {
                        commits_.emplace_back(std::string(cursor), progress);
                        return absl::StatusOr<v1::LeaseStatus>(v1::LEASE_OK);
                      }};
};

TEST_F(TaskRunnerTest, OneResultPerItemInOrder) {
  v1::TaskOutcome o = Run(Task({"1", "2", "3"}), "builtin:noop");
  ASSERT_TRUE(o.has_results());
  EXPECT_EQ(o.ref().epoch(), 2);
  ASSERT_EQ(o.results().results_size(), 3);
  EXPECT_EQ(o.results().results(2), "3");
}

TEST_F(TaskRunnerTest, FirstFailingItemFailsTheTaskAndIsNamed) {
  v1::TaskOutcome o = Run(Task({"1", R"({"fail":"fatal","message":"bad"})", "3"}), "builtin:fail");
  ASSERT_TRUE(o.has_error());
  EXPECT_EQ(o.error().code(), v1::ERROR_FATAL);
  EXPECT_EQ(o.error().message(), "item 1: bad");
}

TEST_F(TaskRunnerTest, CancelledTaskStopsWithCancelled) {
  flag_->store(true);
  v1::TaskOutcome o = Run(Task({"1"}), "builtin:noop");
  EXPECT_EQ(o.error().code(), v1::ERROR_CANCELLED);
}

TEST_F(TaskRunnerTest, ABatchResumesAtTheItemItStoppedWithEarlierResults) {
  v1::TaskCheckpoint cp;
  cp.set_item(2);
  cp.add_results("\"a\"");
  cp.add_results("\"b\"");
  v1::LeasedTask task = Task({"1", "2", "3"});
  task.set_resume_cursor(cp.SerializeAsString());
  v1::TaskOutcome o = Run(task, "builtin:noop");
  ASSERT_TRUE(o.has_results());
  ASSERT_EQ(o.results().results_size(), 3);
  EXPECT_EQ(o.results().results(0), "\"a\"");
  EXPECT_EQ(o.results().results(2), "3");
}

// Advances the fake clock by 40 s per item: with a one-minute limit the second item ends past it.
class TickHandler : public Handler {
 public:
  explicit TickHandler(FakeClock& clock) : clock_(clock) {}
  absl::StatusOr<std::string> Invoke(const Event& event, Context&) override {
    clock_.Advance(absl::Seconds(40));
    return std::string(event.item);
  }

 private:
  FakeClock& clock_;
};

TEST_F(TaskRunnerTest, TimeLimitBetweenItemsKeepsFinishedResultsAndContinues) {
  TickHandler tick(clock_);
  v1::TaskOutcome o = RunTask(Task({"1", "2", "3"}), Job("tick"), tick, env_);
  EXPECT_TRUE(o.continued());
  ASSERT_EQ(commits_.size(), 2) << "one at the item boundary a second on, one at the limit";
  v1::TaskCheckpoint cp;
  ASSERT_TRUE(cp.ParseFromString(commits_[1].first));
  EXPECT_EQ(cp.item(), 2);
  EXPECT_EQ(cp.results_size(), 2);
  EXPECT_NEAR(commits_[1].second, 2.0 / 3, 1e-9);
}

TEST_F(TaskRunnerTest, RefusedCheckpointStopsTheHandler) {
  env_.commit = [](absl::string_view, double, absl::Time) {
    return absl::StatusOr<v1::LeaseStatus>(v1::LEASE_LOST);
  };
  JobInfo job = Job("builtin:count");
  job.params = {{"checkpoint_every", 100}};
  v1::TaskOutcome o =
      RunTask(Task({R"({"n": 5000})"}), job, *registry_->Find("builtin:count"), env_);
  ASSERT_TRUE(o.has_error());
  EXPECT_TRUE(flag_->load());
  EXPECT_NE(o.error().message().find("lease was lost"), std::string::npos) << o.error().message();
}

TEST_F(TaskRunnerTest, AWorkerStoppingIsATimeLimitNotAFailure) {
  stop_now_->store(true);
  JobInfo job = Job("builtin:count");
  job.params = {{"checkpoint_every", 100}};
  v1::TaskOutcome o =
      RunTask(Task({R"({"n": 5000})"}), job, *registry_->Find("builtin:count"), env_);
  EXPECT_TRUE(o.continued()) << o.ShortDebugString();
  EXPECT_FALSE(flag_->load());
}

TEST_F(TaskRunnerTest, AnUnreachableCoordinatorPastTheLimitMeansContinue) {
  env_.commit = [](absl::string_view, double, absl::Time) {
    return absl::StatusOr<v1::LeaseStatus>(absl::UnavailableError("coordinator down"));
  };
  stop_now_->store(true);  // the count handler takes its last checkpoint at once, which fails
  JobInfo job = Job("builtin:count");
  v1::TaskOutcome o =
      RunTask(Task({R"({"n": 5000})"}), job, *registry_->Find("builtin:count"), env_);
  EXPECT_TRUE(o.continued()) << o.ShortDebugString();
}

// Takes a task's items as one {"Items": [...]} invocation, as Lambda functions do; answers with one
// result per item (a list) or, when the event asks, one result for all.
class BatchEcho : public Handler {
 public:
  absl::StatusOr<std::string> Invoke(const Event& event, Context&) override {
    events.emplace_back(event.item);
    nlohmann::json batch = nlohmann::json::parse(event.item);
    if (batch["Items"][0] == "one") return std::string(R"({"all":true})");
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : batch["Items"]) out.push_back({{"got", item}});
    return out.dump();
  }
  bool TakesBatches() const override { return true; }
  std::vector<std::string> events;
};

TEST_F(TaskRunnerTest, AHandlerThatTakesBatchesGetsTheTaskAsItemsOnce) {
  BatchEcho handler;
  v1::TaskOutcome o = RunTask(Task({"1", R"({"a":2})", "3"}), Job("fn:1"), handler, env_);
  ASSERT_TRUE(o.has_results()) << o.ShortDebugString();
  ASSERT_EQ(handler.events.size(), 1u);
  EXPECT_EQ(handler.events[0], R"({"Items":[1,{"a":2},3]})");
  ASSERT_EQ(o.results().results_size(), 3);
  EXPECT_EQ(o.results().results(1), R"({"got":{"a":2}})");
  v1::TaskOutcome one = RunTask(Task({R"("one")", "2"}), Job("fn:1"), handler, env_);
  ASSERT_EQ(one.results().results_size(), 2);
  EXPECT_EQ(one.results().results(0), R"({"all":true})");
  EXPECT_EQ(one.results().results(1), R"({"all":true})");
  // A single item is the event itself, as on Lambda.
  v1::TaskOutcome single = RunTask(Task({"7"}), Job("fn:1"), handler, env_);
  EXPECT_EQ(handler.events.back(), "7");
}

}  // namespace
}  // namespace fanout::worker
