#include "cli/progress_bar.h"

#include <sstream>

#include "common/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fanout::cli {
namespace {

using ::testing::HasSubstr;

v1::Job Job(uint64_t succeeded, uint64_t total) {
  v1::Job job;
  job.set_job_id("job-7");
  job.set_state(v1::JOB_RUNNING);
  job.mutable_counts()->set_succeeded(succeeded);
  job.mutable_counts()->set_pending(total - succeeded);
  job.mutable_counts()->set_total(total);
  job.set_split_done(true);
  return job;
}

TEST(ProgressBarTest, ShowsDoneTotalRateAndEta) {
  std::ostringstream out;
  ProgressBar bar(out, /*terminal=*/false);
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  bar.Render(Job(0, 1000), t0);
  const std::string line = bar.Render(Job(250, 1000), t0 + absl::Seconds(1));
  EXPECT_THAT(line, HasSubstr("250/1000 tasks"));
  EXPECT_THAT(line, HasSubstr("25.0%"));
  EXPECT_THAT(line, HasSubstr("250/s"));
  EXPECT_THAT(line, HasSubstr("ETA 3s"));
}

TEST(ProgressBarTest, AJobStillListingIsNeverShownDone) {
  std::ostringstream out;
  ProgressBar bar(out, false);
  v1::Job job = Job(0, 0);
  job.set_split_done(false);
  const std::string line = bar.Render(job, absl::FromUnixSeconds(5));
  EXPECT_THAT(line, HasSubstr("still listing"));
  EXPECT_THAT(line, ::testing::Not(HasSubstr("100.0%")));
}

TEST(ProgressBarTest, EtaIsUnknownBeforeAnyRate) {
  std::ostringstream out;
  ProgressBar bar(out, false);
  EXPECT_THAT(bar.Render(Job(0, 10), absl::FromUnixSeconds(5)), HasSubstr("ETA --"));
}

TEST(ProgressBarTest, NonTerminalPrintsWholeLinesNotRedraws) {
  std::ostringstream out;
  ProgressBar bar(out, false);
  v1::Job done = Job(10, 10);
  done.set_state(v1::JOB_SUCCEEDED);
  bar.Update(done, absl::FromUnixSeconds(5));
  EXPECT_EQ(out.str().find('\r'), std::string::npos);
  EXPECT_THAT(out.str(), HasSubstr("10/10"));
}

TEST(ProgressBarTest, CancelledTasksAreNotDoneWorkAndAreShownApart) {
  std::ostringstream out;
  ProgressBar bar(out, false);
  v1::Job job = Job(2, 200);
  job.mutable_counts()->set_pending(0);
  job.mutable_counts()->set_cancelled(198);
  job.set_progress(1.0);  // what the coordinator's progress says of an ended job
  job.set_state(v1::JOB_CANCELLED);
  const std::string line = bar.Render(job, absl::FromUnixSeconds(5));
  EXPECT_THAT(line, HasSubstr("  1.0%"));
  EXPECT_THAT(line, HasSubstr("2/200 tasks"));
  EXPECT_THAT(line, HasSubstr("cancelled 198"));
  EXPECT_THAT(line, ::testing::Not(HasSubstr("100.0%")));
}

TEST(ProgressBarTest, TheRateIsKnownFromTheFirstSecondAndOneTaskIsATask) {
  std::ostringstream out;
  ProgressBar bar(out, false);
  const absl::Time now = absl::FromUnixSeconds(1000);
  v1::Job job = Job(100, 1000);
  ToProto(now - absl::Seconds(2), job.mutable_created_at());
  job.mutable_counts()->set_running(8);
  job.mutable_counts()->set_handlers_running(5);
  const std::string line = bar.Render(job, now);  // the first update
  EXPECT_THAT(line, HasSubstr("50/s"));
  // Running means handlers running; the tasks queued at workers are shown apart.
  EXPECT_THAT(line, HasSubstr("running 5 (+3 leased)"));
  // A coordinator that does not say what runs: the leases, as before.
  job.mutable_counts()->clear_handlers_running();
  EXPECT_THAT(ProgressBar(out, false).Render(job, now), testing::EndsWith("running 8"));
  EXPECT_THAT(ProgressBar(out, false).Render(Job(0, 1), now), HasSubstr("0/1 task "));
}

// A job over in 4 ms used to read "0/s" on its last line beside "500 tasks/s" in the summary.
TEST(ProgressBarTest, AJobThatEndedAtOnceShowsItsOwnPace) {
  std::ostringstream out;
  const absl::Time now = absl::FromUnixSeconds(1000);
  v1::Job job = Job(2, 2);
  job.set_state(v1::JOB_SUCCEEDED);
  ToProto(now - absl::Milliseconds(5), job.mutable_created_at());
  ToProto(now - absl::Milliseconds(1), job.mutable_finished_at());
  EXPECT_THAT(ProgressBar(out, false).Render(job, now), HasSubstr("  500/s  "));
}

// One task in 5 s read "0 tasks/s".
TEST(ProgressBarTest, SlowRatesKeepADecimal) {
  EXPECT_EQ(RateText(0.2), "0.2");
  EXPECT_EQ(RateText(0), "0");
  EXPECT_EQ(RateText(9.96), "10");
  EXPECT_EQ(RateText(938.4), "938");
}

}  // namespace
}  // namespace fanout::cli
