#include "cli/job_json.h"

#include "gtest/gtest.h"

namespace fanout::cli {
namespace {

TEST(JobJsonTest, StatusCarriesStateAndEveryCount) {
  v1::Job job;
  job.set_job_id("job-1");
  job.set_state(v1::JOB_SUCCEEDED);
  job.mutable_counts()->set_succeeded(9);
  job.mutable_counts()->set_dead(1);
  job.mutable_counts()->set_total(10);
  nlohmann::json j = JobToJson(job);
  EXPECT_EQ(j["state"], "succeeded");
  EXPECT_EQ(j["succeeded"], 9);
  EXPECT_EQ(j["dead"], 1);
  EXPECT_EQ(j["total"], 10);
  for (const char* key : {"pending", "running", "leased", "failed", "cancelled"}) {
    EXPECT_EQ(j[key], 0) << key;
  }
}

TEST(JobJsonTest, RunningMeansHandlersRunningAndLeasedIsShownApart) {
  v1::Job job;
  job.mutable_counts()->set_running(11);
  job.mutable_counts()->set_handlers_running(8);
  nlohmann::json j = JobToJson(job);
  EXPECT_EQ(j["running"], 8);
  EXPECT_EQ(j["leased"], 11);
}

// A job cancelled before any task finished read "progress": 1.0 beside "0.0% done".
TEST(JobJsonTest, ACancelledJobsProgressCountsOnlyWhatFinished) {
  v1::Job job;
  job.set_state(v1::JOB_CANCELLED);
  job.set_progress(1.0);
  job.mutable_counts()->set_succeeded(1);
  job.mutable_counts()->set_cancelled(3);
  job.mutable_counts()->set_total(4);
  EXPECT_DOUBLE_EQ(JobToJson(job)["progress"].get<double>(), 0.25);
  job.mutable_counts()->set_cancelled(0);
  job.mutable_counts()->set_succeeded(4);
  EXPECT_DOUBLE_EQ(JobToJson(job)["progress"].get<double>(), 1.0);
}

TEST(JobJsonTest, MoneyShowsCentsOrTheDigitsThatMakeATinyCostNonZero) {
  EXPECT_EQ(Money(11.63, 11.6312), "11.63");
  EXPECT_EQ(Money(0, 0.000002), "0.000002");
  EXPECT_EQ(Money(0, 0), "0.00");
  EXPECT_EQ(Money(0, 1e-12), "0.00");  // under a nano-dollar
  EXPECT_EQ(Decimals(0.0000166667, 10), "0.0000166667");
  EXPECT_EQ(Decimals(0.2, 10), "0.2");
  EXPECT_EQ(Decimals(12, 3), "12");
}

TEST(JobJsonTest, ItemResultsEmbedJsonAndNameErrorCodes) {
  v1::ItemResult ok;
  ok.set_item("{\"n\":1}");
  ok.set_state(v1::TASK_SUCCEEDED);
  ok.set_result("[1,2]");
  nlohmann::json j = ItemResultToJson(ok);
  EXPECT_EQ(j["item"]["n"], 1);
  EXPECT_EQ(j["result"][1], 2);
  v1::ItemResult bad;
  bad.set_item("\"x\"");
  bad.set_state(v1::TASK_DEAD);
  bad.mutable_error()->set_code(v1::ERROR_RETRYABLE);
  bad.mutable_error()->set_message("boom");
  j = ItemResultToJson(bad);
  EXPECT_EQ(j["state"], "dead");
  EXPECT_EQ(j["error"]["code"], "retryable");
  EXPECT_FALSE(j.contains("result"));
}

}  // namespace
}  // namespace fanout::cli
