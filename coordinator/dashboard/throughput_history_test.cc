#include "coordinator/dashboard/throughput_history.h"

#include "gtest/gtest.h"

namespace fanout::coordinator {
namespace {

JobGauge JobAt(uint64_t succeeded, uint64_t failed, v1::JobState state = v1::JOB_RUNNING) {
  JobGauge job;
  job.job_id = "j-1";
  job.state = state;
  job.counts.set_succeeded(succeeded);
  job.counts.set_failed(failed);
  return job;
}

TEST(ThroughputHistoryTest, RateIsFinishedTasksPerSecondOverTheWindow) {
  ThroughputHistory history;
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  EXPECT_EQ(history.Rate("j-1"), 0) << "unknown job";
  history.Sample({JobAt(0, 0)}, t0);
  EXPECT_EQ(history.Rate("j-1"), 0) << "one sample is no rate";
  for (int i = 1; i <= 30; ++i) history.Sample({JobAt(10 * i, i)}, t0 + absl::Seconds(2 * i));
  // 11 tasks finished per 2 s.
  EXPECT_DOUBLE_EQ(history.Rate("j-1"), 5.5);
  const std::vector<ThroughputSample> series = history.Series("j-1");
  ASSERT_EQ(series.size(), 31);
  EXPECT_EQ(series.back().finished, 330);
  EXPECT_DOUBLE_EQ(series.back().rate, 5.5);
}

// A cancel of thousands of pending tasks is no burst of work done: the chart and the rate count
// finished work, as the CLI does.
TEST(ThroughputHistoryTest, CancelledTasksAreNoThroughput) {
  ThroughputHistory history;
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  history.Sample({JobAt(10, 0)}, t0);
  JobGauge cancelled = JobAt(12, 0);
  cancelled.counts.set_cancelled(5000);
  history.Sample({cancelled}, t0 + absl::Seconds(2));
  EXPECT_DOUBLE_EQ(history.Rate("j-1"), 1.0);
  EXPECT_EQ(history.Series("j-1").back().finished, 12);
}

TEST(ThroughputHistoryTest, KeepsABoundedSeriesAndForgetsOldJobs) {
  ThroughputHistory history(/*max_samples=*/5);
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  for (int i = 0; i < 20; ++i) history.Sample({JobAt(i, 0)}, t0 + absl::Seconds(i));
  EXPECT_EQ(history.Series("j-1").size(), 5);
  JobGauge other = JobAt(0, 0);
  other.job_id = "j-2";
  history.Sample({other}, t0 + absl::Hours(2));
  EXPECT_TRUE(history.Series("j-1").empty()) << "not seen for 30 min";
  EXPECT_EQ(history.Series("j-2").size(), 1);
}

TEST(ThroughputHistoryTest, AnEndedJobStopsAddingSamplesAndARedriveIsNoNegativeRate) {
  ThroughputHistory history;
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  history.Sample({JobAt(5, 0)}, t0);
  history.Sample({JobAt(10, 0, v1::JOB_SUCCEEDED)}, t0 + absl::Seconds(1));
  history.Sample({JobAt(10, 0, v1::JOB_SUCCEEDED)}, t0 + absl::Seconds(2));
  EXPECT_EQ(history.Series("j-1").size(), 2);
  history.Sample({JobAt(4, 0)}, t0 + absl::Seconds(3));
  EXPECT_EQ(history.Series("j-1").back().rate, 0);
}

}  // namespace
}  // namespace fanout::coordinator
