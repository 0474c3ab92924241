// Byte budgets end big payloads with clear errors instead of wedging: a manifest of ~1 MiB items
// with --batch_size=1000 (one batch would be 70 MB, over any message limit) runs in tasks cut at
// 6 MiB while the items over --max_item_bytes fail alone; a handler returning 70 MB fails its task
// at once, naming the limit, instead of a report that is refused and retried forever.
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

class ByteBudgetTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster_ = new TestCluster("budget");
    ASSERT_TRUE(cluster_->StartCoordinator().ok());
    ASSERT_TRUE(cluster_->StartWorker("budget-w", 4).ok());
  }
  static void TearDownTestSuite() { delete cluster_; }
  static TestCluster* cluster_;
};
TestCluster* ByteBudgetTest::cluster_ = nullptr;

TEST_F(ByteBudgetTest, BigItemsInHugeBatchesRunInTasksCutBySizeAndOversizeItemsFailAlone) {
  const std::string path = TestDir("big.jsonl");
  {
    std::ofstream out(path);
    for (int i = 0; i < 110; ++i) {
      // Every eleventh line is over 1 MiB; the others are 700 KiB: 100 of those make 70 MB.
      const size_t bytes = i % 11 == 10 ? (1 << 20) : 700 << 10;
      out << json{{"i", i}, {"data", std::string(bytes, 'x')}}.dump() << "\n";
    }
  }
  CommandResult r = cluster_->Cli({"submit", "--function=builtin:noop", "--source=jsonl:" + path,
                                   "--batch_size=1000", "--wait", "--json"});
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;  // ended, with the oversize items failed
  const json job = json::parse(r.out);
  EXPECT_EQ(job["state"], "failed");
  EXPECT_EQ(job["failed"], 10) << "each oversize item is a task of its own that fails";
  EXPECT_EQ(job["items"], 110);
  // Between two oversize lines, 10 items of 700 KiB: tasks of at most 6 MiB hold 8.
  EXPECT_EQ(job["succeeded"], 20);
  CommandResult results = cluster_->Cli({"results", job["job_id"]});
  std::istringstream lines(results.out);
  int failed = 0, succeeded = 0;
  for (std::string line; std::getline(lines, line);) {
    json entry = json::parse(line);
    if (entry["state"] == "succeeded") {
      ++succeeded;
      continue;
    }
    ++failed;
    EXPECT_EQ(entry["error"]["code"], "invalid_input");
    EXPECT_THAT(entry["error"]["message"].get<std::string>(),
                HasSubstr("longer than 1048576 bytes (--max_item_bytes)"));
  }
  EXPECT_EQ(failed, 10);
  EXPECT_EQ(succeeded, 100);
}

TEST_F(ByteBudgetTest, AResultOverTheLimitFailsItsTaskNamingTheLimit) {
  CommandResult r =
      cluster_->Cli({"submit", "--function=builtin:blob", R"(--source=[{"bytes": 70000000}, 5])",
                     "--param", "bytes=10", "--wait", "--json"});
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  const json job = json::parse(r.out);
  EXPECT_EQ(job["failed"], 1);
  EXPECT_EQ(job["succeeded"], 1) << "the small one beside it ran";
  CommandResult results = cluster_->Cli({"results", job["job_id"]});
  std::istringstream lines(results.out);
  std::string first;
  std::getline(lines, first);
  json entry = json::parse(first);
  EXPECT_EQ(entry["error"]["code"], "fatal");
  EXPECT_THAT(entry["error"]["message"].get<std::string>(),
              HasSubstr("the result is 70000000 bytes (70000000 with the task's others), over the "
                        "limit of 6291456 (the coordinator's --max_result_bytes)"));
  EXPECT_EQ(entry["attempts"], 1) << "fatal: not retried";
}

}  // namespace
}  // namespace fanout::testing
