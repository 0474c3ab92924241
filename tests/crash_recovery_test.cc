// Nothing acknowledged is lost when processes die: during a 20,000-task job the coordinator is
// SIGKILLed twice and restarted on the same data, and a worker is SIGKILLed and replaced. The job
// still succeeds, every task's result is committed exactly once and is the one its worker was told
// was accepted (the workers' history), and the dead worker's leases go to another worker only
// after they expired.
#include <filesystem>
#include <set>

#include "absl/time/clock.h"
#include "common/proto_time.h"
#include "gtest/gtest.h"
#include "tests/history.h"
#include "tests/test_cluster.h"

namespace fanout::testing {
namespace {

constexpr int kTasks = 20000;

void ExpectEachTaskCommittedOnce(const std::vector<v1::Task>& tasks) {
  std::set<std::string> items;
  for (const v1::Task& t : tasks) {
    ASSERT_EQ(t.state(), v1::TASK_SUCCEEDED) << t.ShortDebugString();
    ASSERT_EQ(t.results_size(), 1);
    items.insert(t.items(0));
    int commits = 0;
    for (const v1::Attempt& a : t.attempts()) {
      commits += a.reported() && a.outcome() == v1::TASK_SUCCEEDED;
    }
    ASSERT_EQ(commits, 1) << t.ShortDebugString();
  }
  EXPECT_EQ(items.size(), kTasks);
}

// Returns how many leases of `worker` ended by expiry and were handed out again; fails the test if
// one was handed out before it expired.
int CheckReissuedLeases(const std::vector<v1::Task>& tasks, const std::string& worker) {
  int reissued = 0;
  for (const v1::Task& t : tasks) {
    for (int i = 0; i + 1 < t.attempts_size(); ++i) {
      const v1::Attempt& a = t.attempts(i);
      if (a.worker_id() != worker || a.reported()) continue;
      const v1::Attempt& next = t.attempts(i + 1);
      EXPECT_GE(FromProto(next.leased_at()), FromProto(a.lease_expires_at()))
          << "re-leased before expiry: " << t.ShortDebugString();
      ++reissued;
    }
  }
  return reissued;
}

// Waits until `n` tasks of the job have succeeded (the coordinator may be restarting meanwhile).
void WaitForSucceeded(TestCluster& cluster, const std::string& job_id, uint64_t n) {
  EXPECT_TRUE(
      cluster.WaitForJob(job_id, [n](const v1::Job& j) { return j.counts().succeeded() >= n; })
          .ok());
}

TEST(CrashRecoveryTest, CoordinatorAndWorkerKillsLoseNothing) {
  TestCluster cluster("crash");
  const std::vector<std::string> flags = {"--lease_ttl=2s", "--lease_grace=2s"};
  const std::string history = TestDir("crash-history");
  std::filesystem::create_directories(history);
  auto recorded = [&](const std::string& id) {
    return std::vector<std::string>{"--history_file=" + history + "/" + id + ".jsonl"};
  };
  ASSERT_TRUE(cluster.StartCoordinator(flags).ok());
  ASSERT_TRUE(cluster.StartWorker("survivor", 8, recorded("survivor")).ok());
  ASSERT_TRUE(cluster.StartWorker("victim", 8, recorded("victim")).ok());

  v1::JobSpec spec;
  spec.set_function("builtin:sleep");
  spec.set_source("range:0-19999");
  spec.set_params_json(R"({"ms": 8})");
  spec.mutable_options()->set_max_attempts(5);
  absl::StatusOr<v1::Job> job = cluster.Submit(spec);
  ASSERT_TRUE(job.ok()) << job.status();

  // Each kill once the job is well under way: at a fifth, two fifths and three fifths done.
  WaitForSucceeded(cluster, job->job_id(), kTasks / 5);
  cluster.KillCoordinator();
  ASSERT_TRUE(cluster.StartCoordinator(flags).ok());
  WaitForSucceeded(cluster, job->job_id(), 2 * kTasks / 5);
  cluster.KillWorker("victim");
  ASSERT_TRUE(cluster.StartWorker("replacement", 8, recorded("replacement")).ok());
  WaitForSucceeded(cluster, job->job_id(), 3 * kTasks / 5);
  cluster.KillCoordinator();
  ASSERT_TRUE(cluster.StartCoordinator(flags).ok());

  absl::StatusOr<v1::Job> done = cluster.WaitForJob(job->job_id(), absl::Seconds(180));
  ASSERT_TRUE(done.ok()) << done.status();
  ASSERT_EQ(done->state(), v1::JOB_SUCCEEDED) << done->ShortDebugString();
  EXPECT_EQ(done->counts().succeeded(), kTasks);

  absl::StatusOr<std::vector<v1::Task>> tasks = cluster.Tasks(job->job_id());
  ASSERT_TRUE(tasks.ok()) << tasks.status();
  ASSERT_EQ(tasks->size(), kTasks);
  ExpectEachTaskCommittedOnce(*tasks);
  // Every result a worker was told was accepted is the one committed.
  for (const std::string& violation :
       CheckHistory(ReadHistory(history), *tasks, [](const std::string&) { return 0; })) {
    ADD_FAILURE() << violation;
  }
  EXPECT_GT(CheckReissuedLeases(*tasks, "victim"), 0)
      << "the victim held no lease when killed: the test proved nothing about expiry";
}

}  // namespace
}  // namespace fanout::testing
