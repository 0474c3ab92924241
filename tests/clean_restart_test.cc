// A clean restart of the coordinator in the middle of a job (SIGTERM, then started again on the
// same data and port) makes no work run twice: the workers reconnect within a second, long before
// any lease held across the restart runs out. Before clients capped their reconnect backoff, about
// 30 tasks of such a job ran again after their leases expired (bench/restart_cost).
#include <signal.h>

#include "gtest/gtest.h"
#include "tests/test_cluster.h"

namespace fanout::testing {
namespace {

TEST(CleanRestartTest, NoTaskRunsTwiceAcrossAGracefulRestart) {
  TestCluster cluster("clean-restart");
  ASSERT_TRUE(cluster.StartCoordinator().ok());
  ASSERT_TRUE(cluster.StartWorker("w1", 8).ok());
  ASSERT_TRUE(cluster.StartWorker("w2", 8).ok());
  v1::JobSpec spec;
  spec.set_function("builtin:sleep");
  spec.set_source("range:1-1500");
  spec.set_params_json(R"({"ms": 50})");
  absl::StatusOr<v1::Job> job = cluster.Submit(spec);
  ASSERT_TRUE(job.ok()) << job.status();
  ASSERT_TRUE(
      cluster
          .WaitForJob(job->job_id(), [](const v1::Job& j) { return j.counts().succeeded() >= 300; })
          .ok());
  cluster.KillCoordinator(SIGTERM);  // returns once it exited
  ASSERT_TRUE(cluster.StartCoordinator().ok());
  absl::StatusOr<v1::Job> done = cluster.WaitForJob(job->job_id(), absl::Minutes(2));
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->state(), v1::JOB_SUCCEEDED);
  absl::StatusOr<std::vector<v1::Task>> tasks = cluster.Tasks(job->job_id());
  ASSERT_TRUE(tasks.ok()) << tasks.status();
  int repeated = 0;
  for (const v1::Task& t : *tasks) repeated += t.attempts_size() - 1;
  EXPECT_EQ(repeated, 0) << "tasks leased again after the restart: their leases ran out";
}

}  // namespace
}  // namespace fanout::testing
