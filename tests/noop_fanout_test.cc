// A 10,000-item job of builtin:noop on two worker processes ends SUCCEEDED with every item's result
// committed exactly once, as `fanout results` shows it.
#include <set>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/test_cluster.h"

namespace fanout::testing {
namespace {

using nlohmann::json;

TEST(NoopFanoutTest, TenThousandItemsOnTwoWorkersEachCommittedOnce) {
  TestCluster cluster("noop");
  ASSERT_TRUE(cluster.StartCoordinator().ok());
  ASSERT_TRUE(cluster.StartWorker("w1", 4).ok());
  ASSERT_TRUE(cluster.StartWorker("w2", 4).ok());

  CommandResult submit =
      cluster.Cli({"submit", "--function=builtin:noop", "--source=range:0-9999", "--json"});
  ASSERT_EQ(submit.exit_code, 0) << submit.err;
  const std::string job_id = json::parse(submit.out)["job_id"];

  absl::StatusOr<v1::Job> job = cluster.WaitForJob(job_id, absl::Seconds(120));
  ASSERT_TRUE(job.ok()) << job.status();
  EXPECT_EQ(job->state(), v1::JOB_SUCCEEDED);
  EXPECT_EQ(job->counts().succeeded(), 10000);

  CommandResult results = cluster.Cli({"results", job_id});
  ASSERT_EQ(results.exit_code, 0) << results.err;
  std::set<int64_t> items;
  size_t lines = 0;
  std::istringstream in(results.out);
  for (std::string line; std::getline(in, line); ++lines) {
    json r = json::parse(line);
    ASSERT_EQ(r["state"], "succeeded") << line;
    ASSERT_EQ(r["result"], r["item"]) << line;
    items.insert(r["item"].get<int64_t>());
  }
  EXPECT_EQ(lines, 10000);
  ASSERT_EQ(items.size(), 10000);
  EXPECT_EQ(*items.begin(), 0);
  EXPECT_EQ(*items.rbegin(), 9999);

  // Both workers took part, and no task needed a second attempt.
  absl::StatusOr<std::vector<v1::Task>> tasks = cluster.Tasks(job_id);
  ASSERT_TRUE(tasks.ok());
  std::set<std::string> workers;
  for (const v1::Task& t : *tasks) {
    workers.insert(t.worker_id());
    EXPECT_EQ(t.attempt(), 1) << t.ShortDebugString();
  }
  EXPECT_EQ(workers, (std::set<std::string>{"w1", "w2"}));
}

}  // namespace
}  // namespace fanout::testing
