// Conformance, continued: metering (every reported invocation in its job's usage, durably) and the
// gauges the metrics read.
#include <string>
#include <vector>

#include "common/proto_time.h"
#include "coordinator/job_store_builders.h"
#include "coordinator/job_store_conformance.h"

namespace fanout::coordinator {
namespace {

using builders::Continued;
using builders::Failure;
using builders::Success;

using builders::kTtl;

v1::TaskOutcome Took(v1::TaskOutcome outcome, absl::Duration d) {
  ToProto(d, outcome.mutable_duration());
  return outcome;
}

}  // namespace

TEST_P(JobStoreConformanceTest, ReportedInvocationsAreMeteredIntoTheJobsUsage) {
  v1::JobSpec spec = builders::Spec(3, "builtin:count");
  spec.mutable_options()->set_memory_mb(512);
  ASSERT_TRUE(Submit(spec, 3).ok());
  std::vector<v1::LeasedTask> t = store().LeaseTasks("w", 3, kTtl)->tasks;
  ASSERT_EQ(t.size(), 3);
  const std::string id = t[0].ref().job_id();
  clock_.Advance(absl::Seconds(3));  // durations are believed up to the lease's age
  ASSERT_TRUE(
      store()
          .ReportOutcomes({Took(Success(t[0]), absl::Milliseconds(1500)),
                           Took(Failure(t[1], v1::ERROR_RETRYABLE), absl::Microseconds(250400)),
                           Took(builders::Released(t[2]), absl::Seconds(9))})
          .ok());
  // A released task never ran: it is not a request.
  v1::Usage usage = store().GetJob(id)->usage();
  EXPECT_EQ(usage.requests(), 2);
  EXPECT_EQ(usage.billed_ms(), 1500 + 251) << "each invocation rounds up to the millisecond";
  EXPECT_DOUBLE_EQ(usage.gb_seconds(), 0.5 * 1.751);

  clock_.Advance(absl::Seconds(5));
  std::vector<v1::LeasedTask> again = store().LeaseTasks("w", 3, kTtl)->tasks;
  ASSERT_EQ(again.size(), 2);
  clock_.Advance(absl::Seconds(2));
  ASSERT_TRUE(store().ReportOutcomes({Took(Continued(again[0]), absl::Seconds(2))}).ok());
  if (harness_->Reopen()) EXPECT_EQ(store().GetJob(id)->usage().requests(), 3) << "survives";
  usage = store().GetJob(id)->usage();
  EXPECT_EQ(usage.requests(), 3);
  EXPECT_EQ(usage.billed_ms(), 3751);
  EXPECT_DOUBLE_EQ(usage.gb_seconds(), 0.5 * 3.751);
  const v1::Task first = (*store().ListTasks(id, 0, 1))[0];
  ASSERT_EQ(first.attempts_size(), 1);
  EXPECT_EQ(FromProto(first.attempts(0).duration()), absl::Milliseconds(1500));
}

// Cancelled work was done: billed for the lease's age, once (the worker's late report adds none).
TEST_P(JobStoreConformanceTest, InvocationsStoppedByACancelAreMeteredOnce) {
  v1::JobSpec spec = builders::Spec(3, "builtin:count");
  spec.mutable_options()->set_memory_mb(1024);
  ASSERT_TRUE(Submit(spec, 3).ok());
  std::vector<v1::LeasedTask> t = store().LeaseTasks("w", 2, kTtl)->tasks;
  ASSERT_EQ(t.size(), 2);
  const std::string id = t[0].ref().job_id();
  clock_.Advance(absl::Seconds(2));
  ASSERT_TRUE(store().CancelJob(id).ok());
  v1::Usage usage = store().GetJob(id)->usage();
  EXPECT_EQ(usage.requests(), 2) << "two handlers ran; the never-leased task is not a request";
  EXPECT_EQ(usage.billed_ms(), 4000);
  EXPECT_DOUBLE_EQ(usage.gb_seconds(), 4.0);
  clock_.Advance(absl::Milliseconds(300));
  ASSERT_TRUE(
      store().ReportOutcomes({Took(Failure(t[0], v1::ERROR_CANCELLED), absl::Seconds(2))}).ok());
  EXPECT_EQ(store().GetJob(id)->usage().requests(), 2) << "the late report is not billed again";
  if (harness_->Reopen()) EXPECT_EQ(store().GetJob(id)->usage().billed_ms(), 4000) << "survives";
}

// Renews one lease, saying what its worker said of its handler.
void Renew(JobStore& store, const v1::LeasedTask& task, HandlerSaid said) {
  google::protobuf::RepeatedPtrField<v1::TaskRef> refs;
  *refs.Add() = task.ref();
  ASSERT_EQ(store.RenewLeases(refs, kTtl, {said})->at(0), v1::LEASE_OK);
}

// A worker that died leaves no report: its lease expires. The invocation is billed for as long
// as renewals said its handler had started (a lower bound); a queued task, or one nobody said
// anything of, is not billed.
TEST_P(JobStoreConformanceTest, AnExpiredLeaseIsBilledForAsLongAsItsHandlerWasSeenStarted) {
  v1::JobSpec spec = builders::Spec(3, "builtin:count");
  spec.mutable_options()->set_memory_mb(1024);
  ASSERT_TRUE(Submit(spec, 3).ok());
  std::vector<v1::LeasedTask> t = store().LeaseTasks("w", 3, kTtl)->tasks;
  ASSERT_EQ(t.size(), 3);
  clock_.Advance(absl::Seconds(1));
  Renew(store(), t[0], HandlerSaid::kStarted);
  Renew(store(), t[1], HandlerSaid::kWaiting);
  Renew(store(), t[2], HandlerSaid::kNothing);
  clock_.Advance(absl::Seconds(2));
  Renew(store(), t[0], HandlerSaid::kStarted);  // seen running from 1 s to 3 s after its lease
  Renew(store(), t[1], HandlerSaid::kWaiting);
  clock_.Advance(kTtl + absl::Seconds(1));
  ASSERT_EQ(*store().ExpireLeases(), 3);
  v1::Usage usage = store().GetJob(t[0].ref().job_id())->usage();
  EXPECT_EQ(usage.requests(), 1);
  EXPECT_EQ(usage.billed_ms(), 2000) << "not the second it waited before its handler started";
  EXPECT_DOUBLE_EQ(usage.gb_seconds(), 2.0);
}

TEST_P(JobStoreConformanceTest, ATaskCancelledWhileItWaitedInItsWorkersQueueIsNotBilled) {
  v1::JobSpec spec = builders::Spec(2, "builtin:count");
  spec.mutable_options()->set_memory_mb(1024);
  ASSERT_TRUE(Submit(spec, 2).ok());
  std::vector<v1::LeasedTask> t = store().LeaseTasks("w", 2, kTtl)->tasks;
  ASSERT_EQ(t.size(), 2);
  Renew(store(), t[0], HandlerSaid::kStarted);
  Renew(store(), t[1], HandlerSaid::kWaiting);
  clock_.Advance(absl::Seconds(2));
  ASSERT_TRUE(store().CancelJob(t[0].ref().job_id()).ok());
  v1::Usage usage = store().GetJob(t[0].ref().job_id())->usage();
  EXPECT_EQ(usage.requests(), 1) << "the queued task never ran";
  EXPECT_EQ(usage.billed_ms(), 2000);
}

TEST_P(JobStoreConformanceTest, AReportedDurationIsNeverLongerThanTheLease) {
  ASSERT_TRUE(Submit(builders::Spec(3, "builtin:count"), 1).ok());
  std::vector<v1::LeasedTask> t = store().LeaseTasks("w", 1, kTtl)->tasks;
  ASSERT_EQ(t.size(), 1);
  clock_.Advance(absl::Seconds(2));
  ASSERT_TRUE(store().ReportOutcomes({Took(Success(t[0]), absl::Hours(1000))}).ok());
  EXPECT_EQ(store().GetJob(t[0].ref().job_id())->usage().billed_ms(), 2000);
}

TEST_P(JobStoreConformanceTest, GaugesShowRunningAndRecentlyEndedJobsWithTheirOldestPending) {
  ASSERT_TRUE(Submit(builders::Spec(1), 3).ok());
  const absl::Time created = clock_.Now();
  clock_.Advance(absl::Seconds(30));
  std::vector<JobGauge> gauges = store().Gauges(absl::Minutes(10));
  ASSERT_EQ(gauges.size(), 1);
  EXPECT_EQ(gauges[0].counts.pending(), 3);
  EXPECT_EQ(gauges[0].oldest_pending_since, created) << "never leased: waiting since created";

  std::vector<v1::LeasedTask> t = store().LeaseTasks("w", 3, kTtl)->tasks;
  ASSERT_EQ(t.size(), 3);
  clock_.Advance(absl::Seconds(5));
  // One fails for good, one is sent back by its worker (released: pending again from now).
  ASSERT_TRUE(
      store()
          .ReportOutcomes({Success(t[0]), Failure(t[1], v1::ERROR_FATAL), builders::Released(t[2])})
          .ok());
  gauges = store().Gauges(absl::Minutes(10));
  ASSERT_EQ(gauges.size(), 1);
  EXPECT_EQ(gauges[0].counts.pending(), 1);
  EXPECT_EQ(gauges[0].oldest_pending_since, clock_.Now());

  ASSERT_TRUE(store().ReportOutcomes({Success(store().LeaseTasks("w", 1, kTtl)->tasks[0])}).ok());
  ASSERT_EQ(store().GetJob(t[0].ref().job_id())->state(), v1::JOB_FAILED);
  clock_.Advance(absl::Minutes(5));
  EXPECT_EQ(store().Gauges(absl::Minutes(10)).size(), 1) << "ended 5 min ago: still shown";
  EXPECT_TRUE(store().Gauges(absl::Minutes(1)).empty()) << "but not within 1 min";
  EXPECT_EQ(store().Gauges(absl::Minutes(10)).size(), 1) << "a narrow window drops nothing";
  clock_.Advance(absl::Hours(2));
  EXPECT_TRUE(store().Gauges(absl::Hours(3)).empty()) << "past kGaugedEndedJobs";
  ASSERT_TRUE(store().RedriveJob(t[0].ref().job_id(), false).ok());
  gauges = store().Gauges(absl::Minutes(10));
  ASSERT_EQ(gauges.size(), 1) << "a redriven job runs again";
  EXPECT_EQ(gauges[0].counts.pending(), 1);
  EXPECT_EQ(gauges[0].oldest_pending_since, clock_.Now()) << "pending again since the redrive";
}

TEST_P(JobStoreConformanceTest, ASequentialJobsTasksArePendingSinceTheyWereListed) {
  v1::JobSpec spec = builders::Spec();
  spec.set_source("jsonl:/m.jsonl");
  absl::StatusOr<SubmitOutcome> sub = store().SubmitJob(spec, nullptr);
  ASSERT_TRUE(sub.ok());
  const uint64_t seq = SeqFromJobId(sub->job.job_id()).value();
  clock_.Advance(absl::Minutes(20));  // a long listing before the first entry
  const absl::Time listed = clock_.Now();
  ASSERT_TRUE(store().AppendTasks(seq, {{{"1"}, ""}, {{"2"}, ""}}, "after-2", false).ok());
  clock_.Advance(absl::Seconds(3));
  std::vector<JobGauge> gauges = store().Gauges(absl::Minutes(10));
  ASSERT_EQ(gauges.size(), 1);
  EXPECT_EQ(gauges[0].counts.pending(), 2);
  EXPECT_EQ(gauges[0].oldest_pending_since, listed);
}

}  // namespace fanout::coordinator
