// Chaos: 500 builtin:count tasks, each needing ~6 invocations under a 1 s time limit, while a chaos
// loop SIGKILLs a random worker every ~2 s (starting a fresh one), pauses another with SIGSTOP for
// longer than the lease TTL (a zombie, whose late results and checkpoints must be refused), and
// takes the coordinator down 6 times: 3 SIGKILLs and 3 power cuts (everything not synced is lost).
// The workers record every answer of the coordinator (--history_file); afterwards the store is
// checked against that history — no acknowledged result or checkpoint lost, no task's results
// accepted from two leases — and every task's repeated work against what the design promises: a
// continuation whose last checkpoint was acknowledged repeats nothing, any other interruption at
// most one checkpoint interval. The seed is printed; FANOUT_CHAOS_SEED replays it.
#include <signal.h>

#include <cstdlib>
#include <filesystem>
#include <random>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "proto/worker_service.pb.h"
#include "tests/count_trace.h"
#include "tests/history.h"
#include "tests/test_cluster.h"

namespace fanout::testing {
namespace {

using nlohmann::json;

constexpr int kTasks = 500;
constexpr int64_t kSteps = 5500;  // 1 ms each: ~6 invocations of 1 s
constexpr int64_t kEvery = 100;   // checkpoint interval, in steps
constexpr int kWorkers = 4;
constexpr int kSlots = 25;
constexpr int kCoordinatorDowns = 6;

uint32_t Seed() {
  uint32_t seed = 0;
  const char* env = std::getenv("FANOUT_CHAOS_SEED");
  if (env == nullptr || !absl::SimpleAtoi(env, &seed)) seed = std::random_device()();
  std::cout << "chaos seed " << seed << " (replay: --test_env=FANOUT_CHAOS_SEED=" << seed << ")\n";
  return seed;
}

// The step a count task's checkpoint stands at.
int64_t StepOf(const std::string& cursor) {
  v1::TaskCheckpoint cp;
  if (!cp.ParseFromString(cursor)) return -1;
  json c = json::parse(cp.cursor(), nullptr, false);
  return c.is_object() && c.contains("next") ? c["next"].get<int64_t>() : 0;
}

class Chaos {
 public:
  Chaos(TestCluster& cluster, uint32_t seed, std::string history)
      : cluster_(cluster), random_(seed), history_(std::move(history)) {}

  static std::vector<std::string> CoordinatorFlags() {
    return {"--lease_ttl=2s", "--lease_grace=2s", "--testing_power_loss"};
  }
  void StartWorkers() {
    for (int i = 0; i < kWorkers; ++i) StartWorker();
  }
  // One round: resume the paused worker, kill another and start a fresh one; every third round
  // pause one; every third (a round later) take the coordinator down, by SIGKILL and by power
  // cut in turn, so that all six happen while the job runs.
  void Round(int round) {
    if (!paused_.empty()) {
      cluster_.worker(paused_)->Signal(SIGCONT);
      paused_.clear();
    }
    const std::string victim = alive_[Pick(alive_.size())];
    cluster_.KillWorker(victim);
    alive_.erase(std::find(alive_.begin(), alive_.end(), victim));
    ++worker_kills_;
    StartWorker();
    if (round % 3 == 1) {
      paused_ = alive_[Pick(alive_.size())];
      cluster_.worker(paused_)->Signal(SIGSTOP);  // for a round: longer than the lease TTL
      ++pauses_;
    }
    if (round % 3 == 2 && coordinator_downs_ < kCoordinatorDowns) {
      const bool power_cut = coordinator_downs_ % 2 == 1;
      cluster_.KillCoordinator(power_cut ? SIGUSR2 : SIGKILL);
      power_cuts_ += power_cut;
      ASSERT_TRUE(cluster_.StartCoordinator(CoordinatorFlags()).ok());
      ++coordinator_downs_;
    }
  }
  void ResumeAll() {
    if (!paused_.empty()) cluster_.worker(paused_)->Signal(SIGCONT);
    paused_.clear();
  }
  int worker_kills() const { return worker_kills_; }
  int pauses() const { return pauses_; }
  int coordinator_downs() const { return coordinator_downs_; }
  int power_cuts() const { return power_cuts_; }

 private:
  size_t Pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(random_); }
  void StartWorker() {
    const std::string id = absl::StrCat("chaos-", next_++);
    ASSERT_TRUE(
        cluster_.StartWorker(id, kSlots, {"--history_file=" + history_ + "/" + id + ".jsonl"})
            .ok());
    alive_.push_back(id);
  }

  TestCluster& cluster_;
  std::mt19937 random_;
  const std::string history_;
  std::vector<std::string> alive_;
  std::string paused_;
  int next_ = 0;
  int worker_kills_ = 0, pauses_ = 0, coordinator_downs_ = 0, power_cuts_ = 0;
};

// The work of one task repeated at each hand-over from one lease to the next, from its trace and
// the store's attempts; fails the test where the design's bound is broken.
int64_t CheckRepeatedWork(const v1::Task& task, const std::vector<TraceRange>& trace,
                          const TaskHistory& history) {
  std::map<uint64_t, int64_t> reached;  // epoch -> furthest step it executed
  for (const TraceRange& r : trace) {
    const uint64_t epoch = std::stoull(r.invocation.substr(r.invocation.rfind('/') + 1));
    reached[epoch] = std::max(reached[epoch], r.to);
  }
  int64_t repeated = 0;
  for (int i = 1; i < task.attempts_size(); ++i) {
    const v1::Attempt& before = task.attempts(i - 1);
    const v1::Attempt& after = task.attempts(i);
    const int64_t resumed = after.resumed_from().empty() ? 0 : StepOf(after.resumed_from());
    const int64_t lost = std::max<int64_t>(0, reached[before.epoch()] - resumed);
    repeated += lost;
    // A continuation whose final checkpoint was acknowledged hands over exactly where it stopped.
    bool handed_over = false;
    for (const auto& [epoch, cursor] : history.checkpoints) {
      handed_over |= epoch == before.epoch() && StepOf(cursor) == reached[before.epoch()];
    }
    if (before.continued() && handed_over) {
      EXPECT_EQ(lost, 0) << "task " << task.index() << ": continuation after epoch "
                         << before.epoch() << " repeated " << lost << " steps";
    } else {
      EXPECT_LE(lost, kEvery) << "task " << task.index() << ": epoch " << after.epoch()
                              << " repeated " << lost << " steps of epoch " << before.epoch();
    }
  }
  return repeated;
}

TEST(ChaosTest, KillsPausesAndPowerCutsLoseNothingAcknowledgedAndRepeatLittle) {
  TestCluster cluster("chaos");
  ASSERT_TRUE(cluster.StartCoordinator(Chaos::CoordinatorFlags()).ok());
  const std::string traces = TestDir("chaos-traces"), history = TestDir("chaos-history");
  std::filesystem::create_directories(traces);
  std::filesystem::create_directories(history);
  Chaos chaos(cluster, Seed(), history);
  chaos.StartWorkers();
  const v1::JobSpec spec = CountJobSpec(kTasks, kSteps, kEvery, traces, 1);
  absl::StatusOr<v1::Job> job = cluster.Submit(spec);
  ASSERT_TRUE(job.ok()) << job.status();

  int rounds = 0;
  for (; chaos.coordinator_downs() < kCoordinatorDowns || rounds < 12; ++rounds) {
    absl::SleepFor(absl::Seconds(2));
    absl::StatusOr<v1::Job> now = cluster.GetJob(job->job_id());
    if (now.ok() && now->state() != v1::JOB_RUNNING) break;
    chaos.Round(rounds);
  }
  chaos.ResumeAll();
  absl::StatusOr<v1::Job> done = cluster.WaitForJob(job->job_id(), absl::Minutes(5));
  ASSERT_TRUE(done.ok()) << done.status();
  ASSERT_EQ(done->state(), v1::JOB_SUCCEEDED) << done->ShortDebugString();
  EXPECT_EQ(chaos.coordinator_downs(), kCoordinatorDowns) << "the job ended before the chaos did";
  EXPECT_EQ(chaos.power_cuts(), kCoordinatorDowns / 2);
  EXPECT_EQ(chaos.worker_kills(), rounds);
  EXPECT_GE(chaos.pauses(), 4);

  std::vector<v1::Task> tasks = *cluster.Tasks(job->job_id());
  ASSERT_EQ(tasks.size(), kTasks);
  const History recorded = ReadHistory(history);
  for (const std::string& violation : CheckHistory(recorded, tasks, StepOf)) {
    ADD_FAILURE() << violation;
  }
  int64_t executed = 0, repeated = 0, stale = 0;
  for (const v1::Task& t : tasks) {
    ASSERT_EQ(t.state(), v1::TASK_SUCCEEDED);
    const std::vector<TraceRange> trace =
        ReadTrace(absl::StrCat(traces, "/", job->job_id(), ".", t.index(), ".0.trace"));
    TraceSummary summary = Summarize(trace, kSteps);
    ASSERT_TRUE(summary.covered) << "task " << t.index() << ": " << summary.gap;
    auto h = recorded.find({t.job_id(), t.index()});
    const TaskHistory empty;
    repeated += CheckRepeatedWork(t, trace, h == recorded.end() ? empty : h->second);
    executed += summary.executed;
    if (h != recorded.end()) stale += h->second.stale;
  }
  EXPECT_GT(stale, 0) << "no stale answer at all: the zombies tested nothing";
  std::cout << "chaos: " << rounds << " rounds, " << chaos.worker_kills() << " worker kills, "
            << chaos.pauses() << " pauses, " << chaos.coordinator_downs() << " coordinator downs ("
            << chaos.power_cuts() << " power cuts); " << kTasks << " tasks, " << executed
            << " steps executed, " << repeated << " repeated ("
            << 100.0 * repeated / (kSteps * kTasks) << "%); " << stale
            << " stale answers refused\n";
}

}  // namespace
}  // namespace fanout::testing
