// Chaos: 500 builtin:count tasks, each needing ~5 invocations under a 1 s time limit, while a chaos
// loop SIGKILLs a random worker every ~2 s (starting a fresh one) and SIGKILLs + restarts the
// coordinator 5 times. The job must succeed, every task must have exactly one committed result, and
// no task may repeat more than one checkpoint interval of work per interruption.
#include <signal.h>

#include <filesystem>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/count_trace.h"
#include "tests/test_cluster.h"

namespace fanout::testing {
namespace {

using nlohmann::json;

constexpr int kTasks = 500;
constexpr int64_t kSteps = 4500;  // 1 ms each: ~5 invocations of 1 s
constexpr int64_t kEvery = 100;   // checkpoint interval, in steps
constexpr int kWorkers = 4;
constexpr int kSlots = 25;

class Chaos {
 public:
  Chaos(TestCluster& cluster, uint32_t seed) : cluster_(cluster), random_(seed) {}

  void StartWorkers() {
    for (int i = 0; i < kWorkers; ++i) StartWorker();
  }
  // One round: kill a random worker and start another; every fourth round also the coordinator.
  void Round(int round, int coordinator_kills_left) {
    const size_t victim = std::uniform_int_distribution<size_t>(0, alive_.size() - 1)(random_);
    cluster_.KillWorker(alive_[victim]);
    alive_.erase(alive_.begin() + victim);
    ++worker_kills_;
    StartWorker();
    if (coordinator_kills_left > 0 && round % 4 == 3) {
      cluster_.KillCoordinator();
      ASSERT_TRUE(cluster_.StartCoordinator(Flags()).ok());
      ++coordinator_kills_;
    }
  }
  static std::vector<std::string> Flags() { return {"--lease_ttl=2s", "--lease_grace=2s"}; }
  int worker_kills() const { return worker_kills_; }
  int coordinator_kills() const { return coordinator_kills_; }

 private:
  void StartWorker() {
    const std::string id = absl::StrCat("chaos-", next_++);
    ASSERT_TRUE(cluster_.StartWorker(id, kSlots).ok());
    alive_.push_back(id);
  }

  TestCluster& cluster_;
  std::mt19937 random_;
  std::vector<std::string> alive_;
  int next_ = 0;
  int worker_kills_ = 0;
  int coordinator_kills_ = 0;
};

TEST(ChaosTest, KillsLoseNoProgressAndCommitEachResultOnce) {
  TestCluster cluster("chaos");
  ASSERT_TRUE(cluster.StartCoordinator(Chaos::Flags()).ok());
  const uint32_t seed = static_cast<uint32_t>(absl::ToUnixMicros(absl::Now()));
  std::cout << "chaos seed " << seed << "\n";
  Chaos chaos(cluster, seed);
  chaos.StartWorkers();
  const std::string traces = TestDir("chaos-traces");
  std::filesystem::create_directories(traces);
  json items = json::array();
  for (int i = 0; i < kTasks; ++i) items.push_back({{"n", kSteps}});
  v1::JobSpec spec;
  spec.set_function("builtin:count");
  spec.set_source(items.dump());
  spec.set_params_json(
      json{{"step_us", 1000}, {"checkpoint_every", kEvery}, {"trace_dir", traces}}.dump());
  spec.mutable_options()->mutable_timeout()->set_seconds(1);
  spec.mutable_options()->set_max_attempts(50);  // every kill that hits a task costs it an attempt
  absl::StatusOr<v1::Job> job = cluster.Submit(spec);
  ASSERT_TRUE(job.ok()) << job.status();

  for (int round = 0; chaos.coordinator_kills() < 5 || round < 12; ++round) {
    absl::SleepFor(absl::Seconds(2));
    absl::StatusOr<v1::Job> now = cluster.GetJob(job->job_id());
    if (now.ok() && now->state() != v1::JOB_RUNNING) break;
    chaos.Round(round, 5 - chaos.coordinator_kills());
  }
  absl::StatusOr<v1::Job> done = cluster.WaitForJob(job->job_id(), absl::Minutes(5));
  ASSERT_TRUE(done.ok()) << done.status();
  ASSERT_EQ(done->state(), v1::JOB_SUCCEEDED) << done->ShortDebugString();
  EXPECT_EQ(chaos.coordinator_kills(), 5) << "the job ended before the chaos did";

  std::vector<v1::Task> tasks = *cluster.Tasks(job->job_id());
  ASSERT_EQ(tasks.size(), kTasks);
  int64_t executed = 0, repeated = 0, interruptions = 0, worst = 0;
  for (const v1::Task& t : tasks) {
    ASSERT_EQ(t.state(), v1::TASK_SUCCEEDED);
    int commits = 0;
    for (const v1::Attempt& a : t.attempts()) {
      commits += a.reported() && a.outcome() == v1::TASK_SUCCEEDED;
    }
    ASSERT_EQ(commits, 1) << t.ShortDebugString();
    TraceSummary trace = Summarize(
        ReadTrace(absl::StrCat(traces, "/", job->job_id(), ".", t.index(), ".0.trace")), kSteps);
    ASSERT_TRUE(trace.covered) << "task " << t.index() << ": " << trace.gap;
    const int64_t interrupted = t.epoch() - 1;  // every lease but the last one was cut short
    EXPECT_LE(trace.repeated, kEvery * interrupted)
        << "task " << t.index() << " repeated " << trace.repeated << " steps over " << interrupted
        << " interruptions";
    executed += trace.executed;
    repeated += trace.repeated;
    interruptions += interrupted;
    if (interrupted > 0) worst = std::max(worst, trace.repeated / interrupted);
  }
  std::cout << "chaos: " << chaos.worker_kills() << " worker kills, " << chaos.coordinator_kills()
            << " coordinator kills; " << kTasks << " tasks, " << interruptions
            << " interruptions (continuations + lost leases), " << executed << " steps executed, "
            << repeated << " repeated (" << 100.0 * repeated / (kSteps * kTasks)
            << "% of the work); worst task repeated " << worst
            << " steps per interruption (bound: " << kEvery << ")\n";
}

}  // namespace
}  // namespace fanout::testing
