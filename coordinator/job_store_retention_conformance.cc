// Conformance: idempotency keys are kept for a retention period after their job ended.
#include "coordinator/job_store_builders.h"
#include "coordinator/job_store_conformance.h"

namespace fanout::coordinator {
namespace {

using builders::Success;

using builders::kTtl;
constexpr absl::Duration kRetention = absl::Hours(24);

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

  clock_.Advance(kRetention - absl::Minutes(1));
  EXPECT_EQ(*store().ExpireIdempotencyKeys(kRetention), 0u);
  EXPECT_FALSE(Submit(spec, 1)->created);  // still within the retention: the same job

  clock_.Advance(absl::Minutes(2));
  EXPECT_EQ(*store().ExpireIdempotencyKeys(kRetention), 1u);  // the running job keeps its key
  if (harness_->Reopen()) {
    EXPECT_FALSE(Submit(running, 1)->created);
  }
  absl::StatusOr<SubmitOutcome> again = Submit(spec, 1);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->created);
  EXPECT_NE(again->job.job_id(), first->job.job_id());
}

}  // namespace fanout::coordinator
