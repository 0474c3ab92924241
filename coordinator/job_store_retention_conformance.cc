// Conformance: retention. Ended jobs leave memory at once (their records stay readable), their keys
// are forgotten after the idempotency retention and the jobs deleted after the job retention, both
// counted from when they ended; running jobs keep everything.
#include "coordinator/job_store_builders.h"
#include "coordinator/job_store_conformance.h"
#include "coordinator/table_backed_job_store.h"

namespace fanout::coordinator {
namespace {

using builders::Success;

using builders::kTtl;
constexpr absl::Duration kKeys = absl::Hours(24);
constexpr absl::Duration kJobs = absl::Hours(24 * 7);

RetentionPolicy Policy() { return {kKeys, kJobs}; }

size_t Resident(JobStore& store) {
  return dynamic_cast<TableBackedJobStore&>(store).resident_jobs();
}

// Runs every pass the store has to run.
RetentionDone Retain(JobStore& store) {
  RetentionDone all;
  for (int pass = 0; pass < 100; ++pass) {
    absl::StatusOr<RetentionDone> done = store.ApplyRetention(Policy());
    EXPECT_TRUE(done.ok()) << done.status();
    if (!done.ok()) break;
    all.keys_forgotten += done->keys_forgotten;
    all.jobs_deleted += done->jobs_deleted;
    if (!done->more) break;
  }
  return all;
}

}  // namespace

TEST_P(JobStoreConformanceTest, IdempotencyKeysOfEndedJobsAreForgottenAfterTheRetention) {
  v1::JobSpec spec = builders::Spec();
  spec.set_idempotency_key("s3/thumbs/uploads/a.jpg/e1");
  absl::StatusOr<SubmitOutcome> first = Submit(spec, 1);
  ASSERT_TRUE(first.ok());
  v1::JobSpec running = builders::Spec();
  running.set_idempotency_key("still-running");
  ASSERT_TRUE(Submit(running, 1).ok());
  LeaseGrant grant = *store().LeaseTasks("w", 1, kTtl);
  ASSERT_EQ(grant.tasks.size(), 1u);
  ASSERT_TRUE(store().ReportOutcomes({Success(grant.tasks[0])}).ok());
  ASSERT_EQ(store().GetJob(first->job.job_id())->state(), v1::JOB_SUCCEEDED);

  clock_.Advance(kKeys - absl::Minutes(1));
  EXPECT_EQ(Retain(store()).keys_forgotten, 0u);
  EXPECT_FALSE(Submit(spec, 1)->created);  // still within the retention: the same job

  clock_.Advance(absl::Minutes(2));
  EXPECT_EQ(Retain(store()).keys_forgotten, 1u);  // the running job keeps its key
  if (harness_->Reopen()) {
    EXPECT_FALSE(Submit(running, 1)->created);
  }
  absl::StatusOr<SubmitOutcome> again = Submit(spec, 1);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->created);
  EXPECT_NE(again->job.job_id(), first->job.job_id());
  EXPECT_TRUE(store().GetJob(first->job.job_id()).ok()) << "the job outlives its key";
}

TEST_P(JobStoreConformanceTest, EndedJobsLeaveMemoryAndAreDeletedAfterTheJobRetention) {
  v1::JobSpec spec = builders::Spec();
  spec.set_idempotency_key("k");
  absl::StatusOr<SubmitOutcome> ended = Submit(spec, 3);
  absl::StatusOr<SubmitOutcome> running = Submit(builders::Spec(), 1);
  ASSERT_TRUE(ended.ok() && running.ok());
  LeaseGrant grant = *store().LeaseTasks("w", 3, kTtl);
  for (const v1::LeasedTask& t : grant.tasks)
    ASSERT_TRUE(store().ReportOutcomes({Success(t)}).ok());
  const std::string id = ended->job.job_id();
  // Out of memory at once, still whole on disk: the job, its tasks, its place in the list.
  EXPECT_EQ(Resident(store()), 1u);
  EXPECT_EQ(store().GetJob(id)->state(), v1::JOB_SUCCEEDED);
  EXPECT_EQ(store().ListTasks(id, 0, 10)->size(), 3u);
  EXPECT_EQ(store().ListJobs(0, 10).size(), 2u);
  EXPECT_FALSE(Submit(spec, 3)->created);

  clock_.Advance(kJobs - absl::Minutes(1));
  EXPECT_EQ(Retain(store()).jobs_deleted, 0u);
  EXPECT_TRUE(store().GetJob(id).ok());
  clock_.Advance(absl::Minutes(2));
  EXPECT_EQ(Retain(store()).jobs_deleted, 1u);
  EXPECT_EQ(store().GetJob(id).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store().ListTasks(id, 0, 10).status().code(), absl::StatusCode::kNotFound);
  ASSERT_EQ(store().ListJobs(0, 10).size(), 1u);
  EXPECT_EQ(store().ListJobs(0, 10)[0].job_id(), running->job.job_id()) << "running jobs stay";
  EXPECT_TRUE(Submit(spec, 3)->created) << "the key went with its job";
  EXPECT_EQ(Retain(store()).jobs_deleted, 0u) << "nothing is deleted twice";
}

TEST_P(JobStoreConformanceTest, ARedrivenJobIsKeptForTheRetentionFromItsNewEnd) {
  absl::StatusOr<SubmitOutcome> job = Submit(builders::Spec(1), 1);
  ASSERT_TRUE(job.ok());
  const std::string id = job->job.job_id();
  v1::LeasedTask t = store().LeaseTasks("w", 1, kTtl)->tasks[0];
  ASSERT_TRUE(store().ReportOutcomes({builders::Failure(t, v1::ERROR_FATAL)}).ok());
  ASSERT_EQ(store().GetJob(id)->state(), v1::JOB_FAILED);
  clock_.Advance(kJobs - absl::Hours(1));
  ASSERT_TRUE(store().RedriveJob(id, false).ok()) << "an ended job is brought back from disk";
  clock_.Advance(absl::Hours(2));  // past the first end's retention, running again
  EXPECT_EQ(Retain(store()).jobs_deleted, 0u);
  t = store().LeaseTasks("w", 1, kTtl)->tasks[0];
  ASSERT_TRUE(store().ReportOutcomes({Success(t)}).ok());
  clock_.Advance(kJobs - absl::Hours(1));
  EXPECT_EQ(Retain(store()).jobs_deleted, 0u) << "counted from the second end";
  EXPECT_EQ(store().GetJob(id)->state(), v1::JOB_SUCCEEDED);
  clock_.Advance(absl::Hours(2));
  EXPECT_EQ(Retain(store()).jobs_deleted, 1u);
}

TEST_P(JobStoreConformanceTest, AWorkerOfACancelledJobThatLeftMemoryIsToldSo) {
  absl::StatusOr<SubmitOutcome> job = Submit(builders::Spec(), 1);
  v1::LeasedTask t = store().LeaseTasks("w", 1, kTtl)->tasks[0];
  ASSERT_TRUE(store().CancelJob(job->job.job_id()).ok());
  EXPECT_EQ(Resident(store()), 0u);
  EXPECT_EQ((*store().RenewLeases({t.ref()}, kTtl))[0], v1::LEASE_CANCELLED);
  EXPECT_EQ((*store().ReportOutcomes({Success(t)}))[0], ReportVerdict::kStale);
  EXPECT_EQ(store().CancelJob(job->job.job_id())->state(), v1::JOB_CANCELLED);
}

TEST_P(JobStoreConformanceTest, ARedrivenJobDoesNotTakeBackAKeyANewerJobHolds) {
  v1::JobSpec spec = builders::Spec(1);
  spec.set_idempotency_key("event-1");
  absl::StatusOr<SubmitOutcome> old = Submit(spec, 1);
  v1::LeasedTask t = store().LeaseTasks("w", 1, kTtl)->tasks[0];
  ASSERT_TRUE(store().ReportOutcomes({builders::Failure(t, v1::ERROR_FATAL)}).ok());
  clock_.Advance(kKeys + absl::Minutes(1));
  ASSERT_EQ(Retain(store()).keys_forgotten, 1u);
  absl::StatusOr<SubmitOutcome> newer = Submit(spec, 1);  // the key makes a new job now
  ASSERT_TRUE(newer.ok() && newer->created);
  ASSERT_TRUE(store().RedriveJob(old->job.job_id(), false).ok());
  absl::StatusOr<SubmitOutcome> again = Submit(spec, 1);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->job.job_id(), newer->job.job_id()) << "the key is the newer job's";
}

}  // namespace fanout::coordinator
