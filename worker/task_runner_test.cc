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
  std::unique_ptr<HandlerRegistry> registry_ = BuiltinHandlers();
  FakeClock clock_;
  CancelFlag flag_ = std::make_shared<std::atomic<bool>>(false);
};

TEST_F(TaskRunnerTest, OneResultPerItemInOrder) {
  v1::TaskOutcome o = RunTask(Task({"1", "2", "3"}), Job("builtin:noop"),
                              *registry_->Find("builtin:noop"), clock_, flag_);
  ASSERT_TRUE(o.has_results());
  EXPECT_EQ(o.ref().epoch(), 2);
  ASSERT_EQ(o.results().results_size(), 3);
  EXPECT_EQ(o.results().results(2), "3");
}

TEST_F(TaskRunnerTest, FirstFailingItemFailsTheTaskAndIsNamed) {
  v1::TaskOutcome o = RunTask(Task({"1", R"({"fail":"fatal","message":"bad"})", "3"}),
                              Job("builtin:fail"), *registry_->Find("builtin:fail"), clock_, flag_);
  ASSERT_TRUE(o.has_error());
  EXPECT_EQ(o.error().code(), v1::ERROR_FATAL);
  EXPECT_EQ(o.error().message(), "item 1: bad");
}

TEST_F(TaskRunnerTest, CancelledTaskStopsWithCancelled) {
  flag_->store(true);
  v1::TaskOutcome o =
      RunTask(Task({"1"}), Job("builtin:noop"), *registry_->Find("builtin:noop"), clock_, flag_);
  EXPECT_EQ(o.error().code(), v1::ERROR_CANCELLED);
}

}  // namespace
}  // namespace fanout::worker
