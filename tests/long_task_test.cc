// Work past the time limit, against real processes: a task that needs ~20 s completes under a 2 s
// limit through continuations; a paused (zombie) worker cannot commit a stale checkpoint or result;
// cancellation reaches a running handler within a second; redrive re-runs only failed items;
// failure thresholds end jobs as specified; a handler that never checkpoints ends "no progress".
#include <signal.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/count_trace.h"
#include "tests/test_cluster.h"

namespace fanout::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

v1::JobSpec CountJob(const std::string& source, json params, absl::Duration timeout) {
  v1::JobSpec spec;
  spec.set_function("builtin:count");
  spec.set_source(source);
  spec.set_params_json(params.dump());
  spec.mutable_options()->mutable_timeout()->set_seconds(absl::ToInt64Seconds(timeout));
  return spec;
}

// Waits until `pred(job)` holds or `timeout` passes.
template <typename Pred>
bool WaitUntil(TestCluster& c, const std::string& job_id, Pred pred, absl::Duration timeout) {
  for (absl::Time end = absl::Now() + timeout; absl::Now() < end;) {
    absl::StatusOr<std::vector<v1::Task>> tasks = c.Tasks(job_id);
    if (tasks.ok() && pred(*tasks)) return true;
    absl::SleepFor(absl::Milliseconds(50));
  }
  return false;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(LongTaskTest, TwentySecondTaskCompletesThroughContinuationsUnderATwoSecondLimit) {
  TestCluster cluster("continuation");
  ASSERT_TRUE(cluster.StartCoordinator().ok());
  ASSERT_TRUE(cluster.StartWorker("w1", 2).ok());
  ASSERT_TRUE(cluster.StartWorker("w2", 2).ok());
  const std::string traces = TestDir("continuation-traces");
  std::filesystem::create_directories(traces);
  constexpr int64_t kSteps = 20000, kEvery = 500;
  absl::StatusOr<v1::Job> job = cluster.Submit(CountJob(
      absl::StrCat(R"([{"n": )", kSteps, "}]"),
      {{"step_us", 1000}, {"checkpoint_every", kEvery}, {"trace_dir", traces}}, absl::Seconds(2)));
  ASSERT_TRUE(job.ok()) << job.status();
  absl::StatusOr<v1::Job> done = cluster.WaitForJob(job->job_id(), absl::Seconds(90));
  ASSERT_TRUE(done.ok()) << done.status();
  ASSERT_EQ(done->state(), v1::JOB_SUCCEEDED) << done->ShortDebugString();

  v1::Task task = cluster.Tasks(job->job_id())->at(0);
  const json result = json::parse(task.results(0));
  TraceSummary trace =
      Summarize(ReadTrace(absl::StrCat(traces, "/", job->job_id(), ".0.0.trace")), kSteps);
  std::cout << "continuations: " << task.continuations()
            << ", invocations: " << result["invocations"] << ", steps executed: " << trace.executed
            << ", repeated: " << trace.repeated << "\n";
  EXPECT_TRUE(trace.covered) << trace.gap;
  EXPECT_GE(task.continuations(), 8);
  EXPECT_EQ(task.attempt(), 1) << "continuations must not use attempts";
  EXPECT_EQ(result["invocations"], task.continuations() + 1);
  EXPECT_LE(trace.repeated, kEvery * task.continuations());
  std::set<std::string> workers;
  for (const v1::Attempt& a : task.attempts()) workers.insert(a.worker_id());
  EXPECT_EQ(workers.size(), 2) << "continuations should land on either worker";
}

TEST(LongTaskTest, ZombieWorkerCannotCommitAStaleCheckpointOrResult) {
  TestCluster cluster("zombie");
  ASSERT_TRUE(cluster.StartCoordinator({"--lease_ttl=2s", "--lease_grace=2s"}).ok());
  ASSERT_TRUE(cluster.StartWorker("zombie", 1).ok());
  absl::StatusOr<v1::Job> job = cluster.Submit(CountJob(
      R"([{"n": 6000}])", {{"step_us", 1000}, {"checkpoint_every", 200}}, absl::Seconds(60)));
  ASSERT_TRUE(job.ok());
  ASSERT_TRUE(WaitUntil(
      cluster, job->job_id(),
      [](const std::vector<v1::Task>& t) {
        return t[0].state() == v1::TASK_LEASED && !t[0].checkpoint().empty();
      },
      absl::Seconds(20)));
  cluster.worker("zombie")->Signal(SIGSTOP);
  ASSERT_TRUE(cluster.StartWorker("healthy", 1).ok());
  ASSERT_TRUE(WaitUntil(
      cluster, job->job_id(),
      [](const std::vector<v1::Task>& t) {
        return t[0].state() == v1::TASK_LEASED && t[0].worker_id() == "healthy";
      },
      absl::Seconds(20)))
      << "the zombie's lease never expired";
  absl::SleepFor(absl::Milliseconds(500));
  cluster.worker("zombie")->Signal(SIGCONT);
  absl::StatusOr<v1::Job> done = cluster.WaitForJob(job->job_id(), absl::Seconds(60));
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->state(), v1::JOB_SUCCEEDED);

  const std::string log = ReadFile(cluster.worker("zombie")->log_path());
  EXPECT_THAT(log, HasSubstr("refused")) << log;
  for (absl::string_view line : absl::StrSplit(log, '\n')) {
    if (absl::StrContains(line, "refused")) std::cout << "zombie: " << line << "\n";
  }
  v1::Task task = cluster.Tasks(job->job_id())->at(0);
  const v1::Attempt& last = task.attempts(task.attempts_size() - 1);
  EXPECT_EQ(last.worker_id(), "healthy");
  EXPECT_EQ(last.outcome(), v1::TASK_SUCCEEDED);
  EXPECT_EQ(task.attempts(0).worker_id(), "zombie");
  EXPECT_FALSE(task.attempts(0).reported()) << "the zombie's attempt ended by expiry";
}

TEST(LongTaskTest, CancellationReachesARunningHandlerWithinASecond) {
  TestCluster cluster("cancel");
  ASSERT_TRUE(cluster.StartCoordinator().ok());
  ASSERT_TRUE(cluster.StartWorker("w", 2).ok());
  const std::string traces = TestDir("cancel-traces");
  std::filesystem::create_directories(traces);
  absl::StatusOr<v1::Job> job = cluster.Submit(CountJob(
      R"([{"n": 1000000}])", {{"step_us", 1000}, {"trace_dir", traces}}, absl::Seconds(300)));
  ASSERT_TRUE(job.ok());
  ASSERT_TRUE(WaitUntil(
      cluster, job->job_id(),
      [](const std::vector<v1::Task>& t) {
        return t[0].state() == v1::TASK_LEASED && t[0].progress() > 0;
      },
      absl::Seconds(20)));
  absl::SleepFor(absl::Milliseconds(300));
  const int64_t cancelled_at = absl::ToUnixMillis(absl::Now());
  CommandResult r = cluster.Cli({"cancel", job->job_id()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(cluster.GetJob(job->job_id())->state(), v1::JOB_CANCELLED);
  absl::SleepFor(absl::Seconds(2));
  std::vector<TraceRange> trace = ReadTrace(absl::StrCat(traces, "/", job->job_id(), ".0.0.trace"));
  ASSERT_FALSE(trace.empty());
  const int64_t stopped_at = trace.back().unix_ms;
  std::cout << "handler stopped " << stopped_at - cancelled_at << " ms after the cancel\n";
  EXPECT_LE(stopped_at - cancelled_at, 1000);
}

TEST(LongTaskTest, StoppingAWorkerMidTaskContinuesTheTaskWithoutUsingAnAttempt) {
  TestCluster cluster("stopmid");
  ASSERT_TRUE(cluster.StartCoordinator().ok());
  ASSERT_TRUE(cluster.StartWorker("leaving", 1, {"--drain_timeout=500ms"}).ok());
  absl::StatusOr<v1::Job> job = cluster.Submit(CountJob(
      R"([{"n": 8000}])", {{"step_us", 1000}, {"checkpoint_every", 200}}, absl::Seconds(300)));
  ASSERT_TRUE(job.ok());
  ASSERT_TRUE(WaitUntil(
      cluster, job->job_id(), [](const std::vector<v1::Task>& t) { return t[0].progress() > 0.1; },
      absl::Seconds(20)));
  cluster.worker("leaving")->Signal(SIGTERM);
  EXPECT_EQ(cluster.worker("leaving")->Wait(absl::Seconds(10)), 0);
  ASSERT_TRUE(cluster.StartWorker("staying", 1).ok());
  absl::StatusOr<v1::Job> done = cluster.WaitForJob(job->job_id(), absl::Seconds(60));
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->state(), v1::JOB_SUCCEEDED);
  v1::Task task = cluster.Tasks(job->job_id())->at(0);
  EXPECT_EQ(task.attempt(), 1) << task.ShortDebugString();
  EXPECT_TRUE(task.attempts(0).continued()) << "the leaving worker handed the task over";
  EXPECT_GT(json::parse(task.results(0))["resumed_from"][1].get<int>(), 0)
      << "the next invocation resumed from the leaving worker's last checkpoint";
}

TEST(LongTaskTest, RedriveRerunsOnlyTheFailedItems) {
  TestCluster cluster("redrive");
  ASSERT_TRUE(cluster.StartCoordinator().ok());
  ASSERT_TRUE(cluster.StartWorker("w", 4).ok());
  const std::string fixed = TestDir("redrive-fixed");
  const json bad = {{"fail", "fatal"}, {"unless_file", fixed}};
  const json source = json::array({1, bad, 2, bad, 3});
  CommandResult submit = cluster.Cli(
      {"submit", "--function=builtin:fail", "--source=" + source.dump(), "--wait", "--json"});
  EXPECT_EQ(submit.exit_code, 1) << submit.err;
  const std::string id = json::parse(submit.out)["job_id"];
  EXPECT_EQ(json::parse(submit.out)["failed"], 2);
  std::vector<v1::Task> before = *cluster.Tasks(id);

  std::ofstream(fixed) << "fixed";
  CommandResult redrive = cluster.Cli({"redrive", id, "--json"});
  ASSERT_EQ(redrive.exit_code, 0) << redrive.err;
  EXPECT_EQ(json::parse(redrive.out)["redriven"], 2);
  absl::StatusOr<v1::Job> done = cluster.WaitForJob(id, absl::Seconds(30));
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->state(), v1::JOB_SUCCEEDED);
  std::vector<v1::Task> after = *cluster.Tasks(id);
  for (size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].state(), v1::TASK_SUCCEEDED);
    const bool was_failed = before[i].state() == v1::TASK_FAILED;
    EXPECT_EQ(after[i].epoch(), before[i].epoch() + (was_failed ? 1 : 0))
        << "only failed items run again: " << after[i].ShortDebugString();
  }
}

TEST(LongTaskTest, ToleratedFailureThresholdsEndJobsAsSpecified) {
  TestCluster cluster("tolerance");
  ASSERT_TRUE(cluster.StartCoordinator().ok());
  ASSERT_TRUE(cluster.StartWorker("w", 4).ok());
  const std::string source =
      R"(--source=[1, {"fail": "fatal"}, 2, {"fail": "fatal"}, 3, 4, 5, 6, 7, 8])";
  CommandResult within = cluster.Cli({"submit", "--function=builtin:fail", source, "--wait",
                                      "--json", "--tolerated_failure_percent=30"});
  EXPECT_EQ(within.exit_code, 0) << within.err;
  EXPECT_EQ(json::parse(within.out)["state"], "succeeded");
  CommandResult results = cluster.Cli({"results", json::parse(within.out)["job_id"]});
  EXPECT_EQ(std::count(results.out.begin(), results.out.end(), '\n'), 10);
  EXPECT_THAT(results.out, HasSubstr(R"("code":"fatal")"));

  CommandResult past = cluster.Cli({"submit", "--function=builtin:fail", source, "--wait", "--json",
                                    "--tolerated_failure_count=1", "--max_concurrency=1"});
  EXPECT_EQ(past.exit_code, 1) << past.err;
  json status = json::parse(past.out);
  EXPECT_EQ(status["state"], "failed");
  EXPECT_THAT(status["message"].get<std::string>(), HasSubstr("more than the job tolerates"));
  EXPECT_GT(status["cancelled"].get<int>(), 0) << "it stopped dispatching";
}

TEST(LongTaskTest, AHandlerThatNeverCheckpointsEndsAsNoProgress) {
  TestCluster cluster("noprogress");
  ASSERT_TRUE(cluster.StartCoordinator().ok());
  ASSERT_TRUE(cluster.StartWorker("w", 2).ok());
  CommandResult r = cluster.Cli({"submit", "--function=builtin:sleep", "--source=[1]", "--param",
                                 "ms=60000", "--timeout=1s", "--wait", "--json"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const std::string id = json::parse(r.out)["job_id"];
  CommandResult results = cluster.Cli({"results", id});
  json item = json::parse(results.out);
  EXPECT_EQ(item["state"], "failed");
  EXPECT_EQ(item["error"]["code"], "timeout");
  EXPECT_THAT(item["error"]["message"].get<std::string>(), HasSubstr("no progress"));
  EXPECT_EQ(cluster.Tasks(id)->at(0).continuations(), 4);
}

}  // namespace
}  // namespace fanout::testing
