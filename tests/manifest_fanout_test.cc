// Manifests on the coordinator's disk, end to end: a jsonl: manifest of a million lines runs to
// SUCCEEDED with every item's result in the result manifest; malformed lines of JSONL and CSV
// manifests fail as their own items, naming the line, while the rest run.
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

constexpr int kMillion = 1'000'000;

std::string Path(const std::string& name) { return ::testing::TempDir() + "/" + name; }

class ManifestFanoutTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster_ = new TestCluster("manifest");
    ASSERT_TRUE(cluster_->StartCoordinator().ok());
    ASSERT_TRUE(cluster_->StartWorker("m-w1", 8).ok());
    ASSERT_TRUE(cluster_->StartWorker("m-w2", 8).ok());
  }
  static void TearDownTestSuite() { delete cluster_; }
  static TestCluster* cluster_;
};
TestCluster* ManifestFanoutTest::cluster_ = nullptr;

TEST_F(ManifestFanoutTest, AMillionLineJsonlManifestRunsToSucceeded) {
  {
    std::ofstream out(Path("million.jsonl"));
    for (int i = 0; i < kMillion; ++i) out << R"({"n":)" << i << "}\n";
  }
  const absl::Time start = absl::Now();
  CommandResult r =
      cluster_->Cli({"submit", "--function=builtin:noop", "--source=jsonl:" + Path("million.jsonl"),
                     "--results=jsonl:" + Path("million-out.jsonl"), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string id = json::parse(r.out)["job_id"];
  absl::StatusOr<v1::Job> job = cluster_->WaitForJob(id, absl::Minutes(8));
  ASSERT_TRUE(job.ok()) << job.status();
  std::cout << kMillion << " manifest lines to SUCCEEDED in " << absl::Now() - start << "\n";
  EXPECT_EQ(job->state(), v1::JOB_SUCCEEDED) << job->message();
  EXPECT_EQ(job->counts().succeeded(), kMillion);
  EXPECT_EQ(job->counts().total(), kMillion);
  EXPECT_TRUE(job->split_done());

  for (absl::Time end = absl::Now() + absl::Minutes(2);
       job->fan_in().state() == v1::FanIn::FAN_IN_PENDING && absl::Now() < end;) {
    absl::SleepFor(absl::Milliseconds(200));
    job = cluster_->GetJob(id);
  }
  ASSERT_EQ(job->fan_in().state(), v1::FanIn::FAN_IN_WRITTEN) << job->fan_in().error();
  EXPECT_EQ(job->fan_in().result_items(), kMillion);
  std::ifstream in(Path("million-out.jsonl"));
  std::vector<bool> seen(kMillion);
  int lines = 0;
  for (std::string line; std::getline(in, line); ++lines) {
    json entry = json::parse(line);
    const int n = entry["result"]["n"];
    ASSERT_FALSE(seen[n]) << "item " << n << " twice";
    seen[n] = true;
  }
  EXPECT_EQ(lines, kMillion) << "each item once in the result manifest";
}

TEST_F(ManifestFanoutTest, MalformedLinesFailAsTheirOwnItemsAndTheRestRun) {
  {
    std::ofstream out(Path("bad.jsonl"));
    for (int i = 1; i <= 1000; ++i) out << (i == 500 ? R"({"n": 500,)" : absl::StrCat(i)) << "\n";
    std::ofstream csv(Path("bad.csv"));
    csv << "name,size\n"
        << "a,1\n"
        << "\"unterminated,2\n";
  }
  CommandResult r =
      cluster_->Cli({"submit", "--function=builtin:noop", "--source=jsonl:" + Path("bad.jsonl"),
                     "--batch_size=10", "--tolerated_failure_count=1", "--wait", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  json job = json::parse(r.out);
  EXPECT_EQ(job["succeeded"], 99 + 1) << "the bad line sits in a task of its own";
  EXPECT_EQ(job["failed"], 1);
  CommandResult results = cluster_->Cli({"results", job["job_id"]});
  json bad;
  std::istringstream lines(results.out);
  for (std::string line; std::getline(lines, line);) {
    json entry = json::parse(line);
    if (entry["state"] != "succeeded") bad = entry;
  }
  EXPECT_EQ(bad["error"]["code"], "invalid_input");
  EXPECT_THAT(bad["error"]["message"].get<std::string>(),
              HasSubstr("jsonl:" + Path("bad.jsonl") + " line 500: not valid JSON"));
  EXPECT_EQ(bad["item"], R"({"n": 500,)") << "the raw line, so it can be found and fixed";

  CommandResult csv = cluster_->Cli(
      {"submit", "--function=builtin:noop", "--source=csv:" + Path("bad.csv"), "--wait", "--json"});
  EXPECT_EQ(csv.exit_code, 1) << "nothing tolerated: the job fails";
  json csv_job = json::parse(csv.out);
  EXPECT_EQ(csv_job["failed"], 1);
  EXPECT_EQ(csv_job["succeeded"], 1) << "the good row ran";
}

}  // namespace
}  // namespace fanout::testing
