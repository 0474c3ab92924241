// Results, fan-in and concurrency through the `fanout` CLI against real binaries: manifests written
// for succeeded, failed and cancelled jobs, a reduce run once over them and followed by --wait,
// and --max_concurrency changed while a job runs.
#include <filesystem>
#include <fstream>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/test_cluster.h"

namespace fanout::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

std::vector<json> ReadLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<json> out;
  for (std::string line; std::getline(in, line);) out.push_back(json::parse(line));
  return out;
}

class FanInTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster_ = new TestCluster("fan_in");
    ASSERT_TRUE(cluster_->StartCoordinator().ok());
    ASSERT_TRUE(cluster_->StartWorker("fan-in-w1", 8).ok());
    ASSERT_TRUE(cluster_->StartWorker("fan-in-w2", 8).ok());
  }
  static void TearDownTestSuite() { delete cluster_; }

  // As the coordinator names it: canonical (TempDir ends with a slash).
  static std::string Out(const std::string& name) {
    return std::filesystem::path(absl::StrCat(::testing::TempDir(), "/out/", name))
        .lexically_normal()
        .string();
  }
  static std::string SubmitJson(std::vector<std::string> args) {
    args.insert(args.begin(), "submit");
    args.push_back("--json");
    CommandResult r = cluster_->Cli(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out)["job_id"];
  }
  static json WatchJson(const std::string& id) {
    CommandResult r = cluster_->Cli({"watch", id, "--json"});
    return json::parse(r.out);
  }

  static TestCluster* cluster_;
};
TestCluster* FanInTest::cluster_ = nullptr;

TEST_F(FanInTest, ReduceRunsOnceOverTheManifestsAndWaitFollowsIt) {
  CommandResult r =
      cluster_->Cli({"submit", "--function=builtin:noop", "--source=range:1-100", "--batch_size=7",
                     "--results=jsonl:" + Out("sum.jsonl"), "--reduce=builtin:sum", "--wait"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out,
              HasSubstr("manifest " + Out("sum.manifest.json") + " (100 results, 0 failed items)"));
  EXPECT_THAT(r.out, HasSubstr("reduce "));
  EXPECT_THAT(r.out, HasSubstr(R"("value":5050)")) << "1 + 2 + ... + 100, added by the reduce";
  EXPECT_EQ(ReadLines(Out("sum.jsonl")).size(), 100);
  EXPECT_TRUE(ReadLines(Out("sum.failed.jsonl")).empty());
  json manifest = ReadLines(Out("sum.manifest.json"))[0];
  EXPECT_EQ(manifest["state"], "succeeded");
  EXPECT_EQ(manifest["results"]["files"][0], Out("sum.jsonl"));
}

TEST_F(FanInTest, AFailedJobGetsItsManifestsButNoReduce) {
  const std::string id = SubmitJson({"--function=builtin:fail", R"(--source=[1, {"fail": "fatal",
      "message": "corrupt record"}, 3])",
                                     "--results=jsonl:" + Out("failed.jsonl"),
                                     "--reduce=builtin:sum", "--max_attempts=2"});
  json job = WatchJson(id);
  EXPECT_EQ(job["state"], "failed");
  EXPECT_EQ(job["fan_in"]["state"], "written");
  EXPECT_EQ(job["fan_in"]["reduce_job_id"], "") << "a failed job is not reduced";
  std::vector<json> failed = ReadLines(Out("failed.failed.jsonl"));
  ASSERT_EQ(failed.size(), 1);
  EXPECT_EQ(failed[0]["item"]["fail"], "fatal");
  EXPECT_EQ(failed[0]["code"], "fatal");
  EXPECT_EQ(failed[0]["message"], "corrupt record");
  EXPECT_EQ(failed[0]["attempts"], 1) << "fatal errors are not retried";
  EXPECT_EQ(ReadLines(Out("failed.jsonl")).size() + failed.size(), 3)
      << "the other items succeeded or were cancelled when the job failed";
}

TEST_F(FanInTest, ACancelledJobGetsManifestsListingWhatNeverRan) {
  const std::string id = SubmitJson({"--function=builtin:sleep", "--source=range:1-2000", "--param",
                                     "ms=50", "--results=jsonl:" + Out("cancelled.jsonl")});
  ASSERT_TRUE(  // some ran, most did not: both kinds must be in the manifests
      cluster_->WaitForJob(id, [](const v1::Job& j) { return j.counts().succeeded() >= 4; }).ok());
  ASSERT_EQ(cluster_->Cli({"cancel", id}).exit_code, 0);
  json job = WatchJson(id);
  EXPECT_EQ(job["state"], "cancelled");
  ASSERT_EQ(job["fan_in"]["state"], "written");
  const size_t succeeded = ReadLines(Out("cancelled.jsonl")).size();
  std::vector<json> failed = ReadLines(Out("cancelled.failed.jsonl"));
  EXPECT_GT(succeeded, 0);
  EXPECT_EQ(succeeded + failed.size(), 2000) << "every item is in one manifest or the other";
  EXPECT_EQ(failed.back()["state"], "cancelled");
  EXPECT_EQ(job["fan_in"]["failed_items"], failed.size());
}

TEST_F(FanInTest, MaxConcurrencyChangedWhileTheJobRunsIsObeyedWithinASecond) {
  const std::string id = SubmitJson({"--function=builtin:sleep", "--source=range:1-5000", "--param",
                                     "ms=200", "--max_concurrency=12"});
  auto running = [&] { return cluster_->GetJob(id)->counts().running(); };
  // The workers may still be dropping the cancelled tasks of the test before from their queues.
  for (absl::Time end = absl::Now() + absl::Seconds(10); running() == 0 && absl::Now() < end;) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  uint64_t peak = 0;
  for (absl::Time end = absl::Now() + absl::Seconds(3); absl::Now() < end;) {
    peak = std::max(peak, running());
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_EQ(peak, 12) << "16 slots, at most 12 tasks";

  CommandResult r = cluster_->Cli({"update", id, "--max_concurrency=2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const absl::Time lowered = absl::Now();
  absl::Duration obeyed = absl::InfiniteDuration();
  for (absl::Time end = lowered + absl::Seconds(3); absl::Now() < end;) {
    const uint64_t n = running();
    if (n <= 2 && obeyed == absl::InfiniteDuration()) obeyed = absl::Now() - lowered;
    if (obeyed != absl::InfiniteDuration()) EXPECT_LE(n, 2) << "once obeyed, always obeyed";
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_LT(obeyed, absl::Seconds(1));
  std::cout << "running <= 2 within " << obeyed << " of the update\n";
  EXPECT_EQ(json::parse(cluster_->Cli({"status", id, "--json"}).out)["max_concurrency"], 2);

  ASSERT_EQ(cluster_->Cli({"update", id, "--max_concurrency=0"}).exit_code, 0);
  const absl::Time raised = absl::Now();
  while (running() <= 2 && absl::Now() < raised + absl::Seconds(5)) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_LT(absl::Now() - raised, absl::Seconds(1)) << "0 lifts the limit";
  EXPECT_GT(running(), 2);

  ASSERT_EQ(cluster_->Cli({"cancel", id}).exit_code, 0);
  CommandResult ended = cluster_->Cli({"update", id, "--max_concurrency=4"});
  EXPECT_NE(ended.exit_code, 0);
  EXPECT_THAT(ended.err, HasSubstr("has ended"));
  EXPECT_EQ(cluster_->Cli({"update", id}).exit_code, 2) << "--max_concurrency is required";
}

}  // namespace
}  // namespace fanout::testing
