// The dashboard in a real browser: Debian's chromium, headless, driven by playwright-core
// (tests/browser/dashboard_check.js) against a real coordinator during a running job. The job's row
// and progress bar appear and advance, the job page opens with its counts and tasks, the workers
// page lists the worker; screenshots are saved as test artifacts (jobs.png, job.png, workers.png).
//
// `./dev test` installs the script's node_modules and passes their path in
// FANOUT_BROWSER_NODE_MODULES, and node's in FANOUT_NODE.
#include <cstdlib>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/free_port.h"
#include "tests/test_cluster.h"

namespace fanout::testing {
namespace {

TEST(DashboardBrowserTest, AJobsProgressAdvancesAndItsPageOpens) {
  const char* modules = std::getenv("FANOUT_BROWSER_NODE_MODULES");
  ASSERT_TRUE(modules != nullptr &&
              std::filesystem::exists(std::string(modules) + "/playwright-core"))
      << "FANOUT_BROWSER_NODE_MODULES must name tests/browser/node_modules with playwright-core "
         "installed (./dev test does both)";
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/chromium")) << "Debian's chromium is needed";

  TestCluster cluster("browser");
  const int http = FreePortBelowEphemeral();
  ASSERT_TRUE(cluster.StartCoordinator({absl::StrCat("--http_listen=127.0.0.1:", http)}).ok());
  ASSERT_TRUE(cluster.StartWorker("w-browser", 2).ok());
  // About 20 s of work on 2 slots: long enough to watch it advance, short enough for CI.
  v1::JobSpec spec;
  spec.set_function("builtin:sleep");
  spec.set_source("range:1-400");
  spec.set_params_json(R"({"ms": 100})");
  absl::StatusOr<v1::Job> job = cluster.Submit(spec);
  ASSERT_TRUE(job.ok()) << job.status();

  const char* node = std::getenv("FANOUT_NODE");
  const std::string out = ArtifactDir();
  CommandResult check = RunCommand(
      node != nullptr && *node != '\0' ? node : "/usr/bin/node",
      {Runfile("tests/browser/dashboard_check.js"), absl::StrCat("--url=http://127.0.0.1:", http),
       "--job=" + job->job_id(), "--out=" + out, "--chromium=/usr/bin/chromium"},
      absl::Seconds(120), {absl::StrCat("NODE_PATH=", modules)});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_NE(check.out.find("\"later_progress\""), std::string::npos) << check.out;
  for (const char* shot : {"jobs.png", "job.png", "workers.png"}) {
    EXPECT_GT(std::filesystem::file_size(out + "/" + shot), 10'000) << shot;
  }
  EXPECT_EQ(cluster.GetJob(job->job_id())->state(), v1::JOB_RUNNING)
      << "the check ran while the job was running";
  ASSERT_EQ(cluster.Cli({"cancel", job->job_id()}).exit_code, 0);
}

}  // namespace
}  // namespace fanout::testing
