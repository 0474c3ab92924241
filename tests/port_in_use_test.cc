// One process per port: a second coordinator (or trigger) started on a port already in use exits
// 2 naming the port, instead of starting beside the first and taking half of its calls (gRPC's
// default SO_REUSEPORT).
#include <fstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_cluster.h"

namespace fanout::testing {
namespace {

using ::testing::HasSubstr;

std::string Log(const Process& p) {
  std::ifstream in(p.log_path());
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(PortInUseTest, ASecondListenerOnAPortInUseExits2NamingIt) {
  TestCluster cluster("port");
  ASSERT_TRUE(cluster.StartCoordinator().ok());
  const std::string taken = cluster.address();  // 127.0.0.1:PORT, served by the first
  absl::StatusOr<std::unique_ptr<Process>> second = Process::Spawn(
      Runfile("coordinator/fanout-coordinator"),
      {"--listen=" + taken, "--data_dir=" + TestDir("second-data")}, ArtifactDir() + "/second.log");
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ((*second)->Wait(absl::Seconds(20)), 2);
  EXPECT_THAT(Log(**second),
              HasSubstr("--listen: cannot serve on " + taken + ": the port is in use"));

  const std::string config = TestDir("trigger.json");
  std::ofstream(config) << R"({"rules": [{"name": "r", "source": {"type": "webhook"},
                                          "job": {"function": "builtin:noop"}}]})";
  absl::StatusOr<std::unique_ptr<Process>> trigger =
      Process::Spawn(Runfile("trigger/fanout-trigger"),
                     {"--config=" + config, "--coordinator=" + taken, "--http_listen=" + taken},
                     ArtifactDir() + "/trigger.log");
  ASSERT_TRUE(trigger.ok()) << trigger.status();
  EXPECT_EQ((*trigger)->Wait(absl::Seconds(20)), 2);
  EXPECT_THAT(Log(**trigger), HasSubstr("--http_listen: cannot listen on " + taken));

  // The first one still answers every call.
  v1::JobSpec spec;
  spec.set_function("builtin:noop");
  spec.set_source("range:1-3");
  absl::StatusOr<v1::Job> job = cluster.Submit(spec);
  ASSERT_TRUE(job.ok()) << job.status();
  EXPECT_TRUE(cluster.GetJob(job->job_id()).ok());
}

}  // namespace
}  // namespace fanout::testing
