// A disk that fails under the coordinator: the write is refused to its caller as UNAVAILABLE
// ("write to disk failed"), nothing is acknowledged that is not on disk, and the coordinator exits
// (code 3) so that its supervisor restarts it on a state that agrees with the disk — where every
// job acknowledged before the failure is found and finishes.
#include <signal.h>

#include <fstream>
#include <iterator>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_cluster.h"

namespace fanout::testing {
namespace {

using ::testing::HasSubstr;

v1::JobSpec Noop(const std::string& source) {
  v1::JobSpec spec;
  spec.set_function("builtin:noop");
  spec.set_source(source);
  return spec;
}

TEST(DiskFailureTest, AFailedWriteIsRefusedAndTheCoordinatorExitsToBeRestarted) {
  TestCluster cluster("disk");
  ASSERT_TRUE(cluster.StartCoordinator({"--testing_power_loss"}).ok());
  absl::StatusOr<v1::Job> kept = cluster.Submit(Noop("range:1-3"));
  ASSERT_TRUE(kept.ok()) << kept.status();

  cluster.coordinator()->Signal(SIGUSR1);  // the disk fails from now on
  // The signal is taken by a thread of the coordinator's: submit once it says the disk failed.
  const absl::Time until = absl::Now() + absl::Seconds(10);
  while (absl::Now() < until) {
    std::ifstream log(cluster.coordinator()->log_path());
    const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
    if (text.find("the disk fails from now on") != std::string::npos) break;
    absl::SleepFor(absl::Milliseconds(10));
  }
  absl::StatusOr<v1::Job> refused = cluster.Submit(Noop("range:1-5"));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(refused.status().message(), HasSubstr("write to disk failed"));
  EXPECT_THAT(refused.status().message(), HasSubstr("no space left on device"));
  EXPECT_EQ(cluster.coordinator()->Wait(absl::Seconds(10)), 3)
      << "the coordinator must exit, not serve on from memory ahead of its disk";

  ASSERT_TRUE(cluster.StartCoordinator().ok());
  ASSERT_TRUE(cluster.StartWorker("w", 2).ok());
  absl::StatusOr<v1::Job> done = cluster.WaitForJob(kept->job_id(), absl::Seconds(30));
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->state(), v1::JOB_SUCCEEDED);
  EXPECT_EQ(cluster.GetJob("job-2").status().code(), absl::StatusCode::kNotFound)
      << "the refused submission left nothing behind";
}

}  // namespace
}  // namespace fanout::testing
