// Poison input never takes a process down: while a job runs to SUCCEEDED beside them, a Latin-1
// CSV, a file name that is not UTF-8 under dir:, a 100,000-deep inline source and the same
// nesting as a JSONL line each end with a clear per-item or per-job error; the coordinator keeps
// serving, and a restart afterwards finds no crash (nothing stored re-crashes it).
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/test_cluster.h"

namespace fanout::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

std::string Nested(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

void Write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// The one failed item of `job_id`, as `fanout results` prints it.
json FailedItem(TestCluster& cluster, const std::string& job_id) {
  CommandResult r = cluster.Cli({"results", job_id});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.out);
  json failed;
  for (std::string line; std::getline(lines, line);) {
    json entry = json::parse(line);
    if (entry["state"] != "succeeded") {
      EXPECT_TRUE(failed.is_null()) << "a second failed item: " << line;
      failed = entry;
    }
  }
  return failed;
}

class PoisonInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(cluster_.StartCoordinator().ok());
    ASSERT_TRUE(cluster_.StartWorker("poison-w", 4).ok());
    // The bystander: ~3 s of work that must reach SUCCEEDED whatever happens beside it.
    v1::JobSpec spec;
    spec.set_function("builtin:sleep");
    spec.set_source("range:1-400");
    spec.set_params_json(R"({"ms": 25})");
    absl::StatusOr<v1::Job> job = cluster_.Submit(spec);
    ASSERT_TRUE(job.ok()) << job.status();
    bystander_ = job->job_id();
  }

  // Submits through the CLI and waits; returns `fanout submit --json --wait`'s job.
  json Run(const std::vector<std::string>& args) {
    std::vector<std::string> all = {"submit", "--function=builtin:noop", "--wait", "--json"};
    all.insert(all.end(), args.begin(), args.end());
    CommandResult r = cluster_.Cli(all);
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.out << r.err;
    return r.exit_code <= 1 && !r.out.empty() ? json::parse(r.out) : json();
  }

  TestCluster cluster_{"poison"};
  std::string bystander_;
  // Not the cluster's data dir ("poison-data"): jobs may never reach that.
  const std::string dir_ = TestDir("poison-inputs");
};

TEST_F(PoisonInputTest, EachBadInputFailsAloneAndTheCoordinatorServesOnThroughARestart) {
  std::filesystem::create_directories(dir_ + "/tree");
  // 1. A CSV with one Latin-1 byte: that row fails naming file and line; the others run.
  Write(dir_ + "/x.csv", "name,city\nalice,Z\xfcrich\nbob,Bern\n");
  json csv = Run({"--source=csv:" + dir_ + "/x.csv"});
  EXPECT_EQ(csv["succeeded"], 1);
  EXPECT_EQ(csv["failed"], 1);
  json bad_row = FailedItem(cluster_, csv["job_id"]);
  EXPECT_EQ(bad_row["error"]["code"], "invalid_input");
  EXPECT_THAT(bad_row["error"]["message"].get<std::string>(),
              HasSubstr("csv:" + dir_ + "/x.csv line 2: not valid UTF-8 (byte 0xFC"));

  // 2. A file name that is not UTF-8 under dir:: one failed item naming it; its sibling runs.
  Write(dir_ + "/tree/good.txt", "ok");
  Write(dir_ + "/tree/Z\xfcrich.txt", "latin-1 name");
  json tree = Run({"--source=dir:" + dir_ + "/tree"});
  EXPECT_EQ(tree["succeeded"], 1);
  EXPECT_EQ(tree["failed"], 1);
  EXPECT_THAT(FailedItem(cluster_, tree["job_id"])["error"]["message"].get<std::string>(),
              HasSubstr("file name is not valid UTF-8: \"" + dir_ + "/tree/Z\\xfcrich.txt\""));

  // 3. A 100,000-deep inline source (200 KB, from a file: one argument may not be that long):
  // refused at submit, naming the field and the limit.
  Write(dir_ + "/deep.json", Nested(100000));
  CommandResult deep =
      cluster_.Cli({"submit", "--function=builtin:noop", "--source=@" + dir_ + "/deep.json"});
  EXPECT_EQ(deep.exit_code, 2) << deep.out << deep.err;
  EXPECT_THAT(deep.err, HasSubstr("source: the inline list: nested deeper than 64 levels"));

  // 4. The same nesting as a JSONL line: that line fails, the next one runs.
  Write(dir_ + "/deep.jsonl", "1\n" + Nested(100000) + "\n3\n");
  json jsonl = Run({"--source=jsonl:" + dir_ + "/deep.jsonl"});
  EXPECT_EQ(jsonl["succeeded"], 2);
  EXPECT_EQ(jsonl["failed"], 1);
  EXPECT_THAT(FailedItem(cluster_, jsonl["job_id"])["error"]["message"].get<std::string>(),
              HasSubstr("deep.jsonl line 2: nested deeper than 64 levels"));

  // The bystander finished as if nothing happened, on the same coordinator.
  absl::StatusOr<v1::Job> done = cluster_.WaitForJob(bystander_, absl::Minutes(2));
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->state(), v1::JOB_SUCCEEDED) << done->message();
  EXPECT_EQ(cluster_.coordinator()->Wait(absl::ZeroDuration()), -1) << "the coordinator died";

  // A restart loads every stored job, the poisoned ones included, and serves again.
  cluster_.KillCoordinator(SIGTERM);
  ASSERT_TRUE(cluster_.StartCoordinator().ok());
  for (const std::string& id : {csv["job_id"].get<std::string>(), tree["job_id"].get<std::string>(),
                                jsonl["job_id"].get<std::string>(), bystander_}) {
    absl::StatusOr<v1::Job> job = cluster_.GetJob(id);
    ASSERT_TRUE(job.ok()) << id << ": " << job.status();
  }
  CommandResult list = cluster_.Cli({"list"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(Run({"--source=range:1-3"})["succeeded"], 3);
}

}  // namespace
}  // namespace fanout::testing
