// Conformance, continued: checkpoints, continuations, progress and redrive.
#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/proto_time.h"
#include "coordinator/job_store_builders.h"
#include "coordinator/job_store_conformance.h"

namespace fanout::coordinator {
namespace {

using builders::Continued;
using builders::Cp;
using builders::Failure;
using builders::Success;

using builders::kTtl;

v1::JobSpec Spec(uint32_t max_attempts = 3) {
  return builders::Spec(max_attempts, "builtin:count");
}

}  // namespace

TEST_P(JobStoreConformanceTest, CheckpointIsResumedByTheNextInvocationWithoutUsingAnAttempt) {
  ASSERT_TRUE(Submit(Spec(), 1).ok());
  std::vector<v1::LeasedTask> first = store().LeaseTasks("w", 1, kTtl)->tasks;
  ASSERT_EQ(first.size(), 1);
  EXPECT_TRUE(first[0].resume_cursor().empty());
  google::protobuf::RepeatedPtrField<v1::CheckpointEntry> cps;
  *cps.Add() = Cp(first[0], "at-400", 0.4);
  EXPECT_EQ((*store().Checkpoint(cps, kTtl))[0], v1::LEASE_OK);
  EXPECT_NEAR(store().GetJob(first[0].ref().job_id())->progress(), 0.4, 1e-9);
  ASSERT_EQ((*store().ReportOutcomes({Continued(first[0])}))[0], ReportVerdict::kAccepted);
  std::vector<v1::LeasedTask> next = store().LeaseTasks("w2", 1, kTtl)->tasks;
  ASSERT_EQ(next.size(), 1);
  EXPECT_EQ(next[0].resume_cursor(), "at-400");
  EXPECT_EQ(next[0].attempt(), 1) << "a continuation is not a failure";
  EXPECT_EQ(next[0].ref().epoch(), 2);
  v1::Task task = (*store().ListTasks(next[0].ref().job_id(), 0, 1))[0];
  EXPECT_EQ(task.continuations(), 1);
  EXPECT_TRUE(task.attempts(0).continued());
  EXPECT_EQ(task.attempts(0).checkpoints(), 1);
}

TEST_P(JobStoreConformanceTest, StaleOrCancelledCheckpointsAreRefused) {
  ASSERT_TRUE(Submit(Spec(), 2).ok());
  std::vector<v1::LeasedTask> leased = store().LeaseTasks("w", 2, kTtl)->tasks;
  clock_.Advance(kTtl);
  ASSERT_EQ(*store().ExpireLeases(), 2);
  clock_.Advance(absl::Seconds(2));
  std::vector<v1::LeasedTask> again = store().LeaseTasks("w2", 2, kTtl)->tasks;
  ASSERT_EQ(again.size(), 2);
  google::protobuf::RepeatedPtrField<v1::CheckpointEntry> cps;
  *cps.Add() = Cp(leased[0], "zombie", 0.9);
  *cps.Add() = Cp(again[1], "fresh", 0.1);
  std::vector<v1::LeaseStatus> statuses = *store().Checkpoint(cps, kTtl);
  EXPECT_EQ(statuses[0], v1::LEASE_LOST);
  EXPECT_EQ(statuses[1], v1::LEASE_OK);
  ASSERT_TRUE(store().CancelJob(again[0].ref().job_id()).ok());
  cps.Clear();
  *cps.Add() = Cp(again[0], "late", 0.5);
  EXPECT_EQ((*store().Checkpoint(cps, kTtl))[0], v1::LEASE_CANCELLED);
}

TEST_P(JobStoreConformanceTest, ExpiredLeaseResumesFromTheLastCheckpoint) {
  ASSERT_TRUE(Submit(Spec(), 1).ok());
  v1::LeasedTask t = store().LeaseTasks("w", 1, kTtl)->tasks[0];
  google::protobuf::RepeatedPtrField<v1::CheckpointEntry> cps;
  *cps.Add() = Cp(t, "at-7", 0.7);
  ASSERT_TRUE(store().Checkpoint(cps, kTtl).ok());
  clock_.Advance(kTtl);
  ASSERT_EQ(*store().ExpireLeases(), 1);
  clock_.Advance(absl::Seconds(2));
  std::vector<v1::LeasedTask> next = store().LeaseTasks("w2", 1, kTtl)->tasks;
  ASSERT_EQ(next.size(), 1);
  EXPECT_EQ(next[0].resume_cursor(), "at-7");
  EXPECT_EQ(next[0].attempt(), 2) << "a lost worker does use an attempt";
}

TEST_P(JobStoreConformanceTest, ContinuationsWithoutProgressEndAsNoProgress) {
  v1::JobSpec spec = Spec();
  spec.mutable_options()->set_max_stalled_continuations(2);
  ASSERT_TRUE(Submit(spec, 1).ok());
  for (int i = 0; i < 3; ++i) {
    std::vector<v1::LeasedTask> t = store().LeaseTasks("w", 1, kTtl)->tasks;
    ASSERT_EQ(t.size(), 1) << "invocation " << i + 1;
    ASSERT_TRUE(store().ReportOutcomes({Continued(t[0])}).ok());
  }
  v1::Job job = store().ListJobs(0, 1)[0];
  EXPECT_EQ(job.state(), v1::JOB_FAILED);
  v1::Task task = (*store().ListTasks(job.job_id(), 0, 1))[0];
  EXPECT_EQ(task.state(), v1::TASK_FAILED);
  EXPECT_EQ(task.error().code(), v1::ERROR_TIMEOUT);
  EXPECT_NE(task.error().message().find("no progress"), std::string::npos);
}

TEST_P(JobStoreConformanceTest, ACheckpointResetsTheStallCount) {
  v1::JobSpec spec = Spec();
  spec.mutable_options()->set_max_stalled_continuations(1);
  ASSERT_TRUE(Submit(spec, 1).ok());
  for (int i = 0; i < 5; ++i) {
    v1::LeasedTask t = store().LeaseTasks("w", 1, kTtl)->tasks.at(0);
    google::protobuf::RepeatedPtrField<v1::CheckpointEntry> cps;
    *cps.Add() = Cp(t, absl::StrCat("at-", i), 0.1 * i);
    ASSERT_TRUE(store().Checkpoint(cps, kTtl).ok());
    ASSERT_TRUE(store().ReportOutcomes({Continued(t)}).ok());
  }
  EXPECT_EQ(store().ListJobs(0, 1)[0].state(), v1::JOB_RUNNING);
}

TEST_P(JobStoreConformanceTest, RecommittingTheSameCursorIsNoProgress) {
  v1::JobSpec spec = Spec();
  spec.mutable_options()->set_max_stalled_continuations(1);
  ASSERT_TRUE(Submit(spec, 1).ok());
  for (int i = 0; i < 3; ++i) {
    std::vector<v1::LeasedTask> t = store().LeaseTasks("w", 1, kTtl)->tasks;
    if (t.empty()) break;
    google::protobuf::RepeatedPtrField<v1::CheckpointEntry> cps;
    *cps.Add() = Cp(t[0], "same", 0.5);
    ASSERT_TRUE(store().Checkpoint(cps, kTtl).ok());
    ASSERT_TRUE(store().ReportOutcomes({Continued(t[0])}).ok());
  }
  EXPECT_EQ(store().ListJobs(0, 1)[0].state(), v1::JOB_FAILED);
}

TEST_P(JobStoreConformanceTest, NonFiniteProgressIsTakenAsZero) {
  ASSERT_TRUE(Submit(Spec(), 1).ok());
  v1::LeasedTask t = store().LeaseTasks("w", 1, kTtl)->tasks.at(0);
  google::protobuf::RepeatedPtrField<v1::CheckpointEntry> cps;
  *cps.Add() = Cp(t, "x", std::nan(""));
  ASSERT_TRUE(store().Checkpoint(cps, kTtl).ok());
  EXPECT_EQ(store().ListJobs(0, 1)[0].progress(), 0);
}

TEST_P(JobStoreConformanceTest, RedriveRerunsOnlyDeadAndFailedTasks) {
  ASSERT_TRUE(Submit(Spec(/*max_attempts=*/1), 3).ok());
  std::vector<v1::LeasedTask> t = store().LeaseTasks("w", 3, kTtl)->tasks;
  ASSERT_TRUE(store()
                  .ReportOutcomes({Success(t[0]), Failure(t[1], v1::ERROR_RETRYABLE),
                                   Failure(t[2], v1::ERROR_FATAL)})
                  .ok());
  const std::string id = t[0].ref().job_id();
  ASSERT_EQ(store().GetJob(id)->state(), v1::JOB_FAILED);
  absl::StatusOr<RedriveOutcome> out = store().RedriveJob(id, /*from_scratch=*/false);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->redriven, 2);
  EXPECT_EQ(out->job.state(), v1::JOB_RUNNING);
  EXPECT_EQ(out->job.counts().pending(), 2);
  EXPECT_EQ(out->job.counts().succeeded(), 1);
  std::vector<v1::LeasedTask> again = store().LeaseTasks("w", 3, kTtl)->tasks;
  ASSERT_EQ(again.size(), 2);
  EXPECT_EQ(again[0].attempt(), 1) << "a fresh attempt budget";
  EXPECT_EQ(store().RedriveJob(id, false).status().code(), absl::StatusCode::kFailedPrecondition)
      << "running jobs are not redriven";
  ASSERT_TRUE(store().ReportOutcomes({Success(again[0]), Success(again[1])}).ok());
  v1::Job job = *store().GetJob(id);
  EXPECT_EQ(job.state(), v1::JOB_SUCCEEDED);
  EXPECT_EQ(job.redrives(), 1);
  EXPECT_EQ(store().RedriveJob(id, false).status().code(), absl::StatusCode::kFailedPrecondition)
      << "nothing left to redrive";
}

TEST_P(JobStoreConformanceTest, AJobCanBeRedrivenAgainAndAgain) {
  ASSERT_TRUE(Submit(Spec(/*max_attempts=*/1), 2).ok());
  std::vector<v1::LeasedTask> t = store().LeaseTasks("w", 2, kTtl)->tasks;
  const std::string id = t[0].ref().job_id();
  ASSERT_TRUE(store().ReportOutcomes({Success(t[0]), Failure(t[1], v1::ERROR_FATAL)}).ok());
  for (uint32_t redrive = 1; redrive <= 3; ++redrive) {
    clock_.Advance(absl::Hours(1));        // whenever, later
    if (redrive == 2) harness_->Reopen();  // across a restart too, where the store has one
    absl::StatusOr<RedriveOutcome> out = store().RedriveJob(id, false);
    ASSERT_TRUE(out.ok()) << "redrive " << redrive << ": " << out.status();
    EXPECT_EQ(out->redriven, 1u);
    EXPECT_EQ(out->job.redrives(), redrive);
    std::vector<v1::LeasedTask> again = store().LeaseTasks("w", 2, kTtl)->tasks;
    ASSERT_EQ(again.size(), 1u) << "only the failed task runs again";
    EXPECT_EQ(again[0].ref().index(), 1u);
    const bool last = redrive == 3;
    ASSERT_TRUE(store()
                    .ReportOutcomes({last ? Success(again[0]) : Failure(again[0], v1::ERROR_FATAL)})
                    .ok());
    EXPECT_EQ(store().GetJob(id)->state(), last ? v1::JOB_SUCCEEDED : v1::JOB_FAILED);
  }
  EXPECT_EQ(store().GetJob(id)->counts().succeeded(), 2u);
}

TEST_P(JobStoreConformanceTest, RedriveBringsBackTasksAThresholdStopped) {
  constexpr int kTasks = 2 * kMaterializeWindow;
  v1::JobSpec spec = Spec(1);
  spec.mutable_options()->set_tolerated_failure_count(1);
  ASSERT_TRUE(Submit(spec, kTasks).ok());
  std::vector<v1::LeasedTask> t = store().LeaseTasks("w", 3, kTtl)->tasks;
  ASSERT_TRUE(store()
                  .ReportOutcomes({Success(t[0]), Failure(t[1], v1::ERROR_FATAL),
                                   Failure(t[2], v1::ERROR_FATAL)})
                  .ok());
  const std::string id = t[0].ref().job_id();
  ASSERT_EQ(store().GetJob(id)->state(), v1::JOB_FAILED);
  absl::StatusOr<RedriveOutcome> out = store().RedriveJob(id, false);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->redriven, kTasks - 1);
  int leased = 0;
  for (LeaseGrant g; !(g = *store().LeaseTasks("w", 1000, kTtl)).tasks.empty();) {
    leased += g.tasks.size();
  }
  EXPECT_EQ(leased, kTasks - 1);
}

TEST_P(JobStoreConformanceTest, CancelledJobsAreNotRedriven) {
  absl::StatusOr<SubmitOutcome> sub = Submit(Spec(), 2);
  ASSERT_TRUE(store().CancelJob(sub->job.job_id()).ok());
  EXPECT_EQ(store().RedriveJob(sub->job.job_id(), false).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store().RedriveJob("job-99", false).status().code(), absl::StatusCode::kNotFound);
}

TEST_P(JobStoreConformanceTest, CheckpointSurvivesReopen) {
  ASSERT_TRUE(Submit(Spec(), 1).ok());
  v1::LeasedTask t = store().LeaseTasks("w", 1, kTtl)->tasks[0];
  google::protobuf::RepeatedPtrField<v1::CheckpointEntry> cps;
  *cps.Add() = Cp(t, "at-3", 0.3);
  ASSERT_TRUE(store().Checkpoint(cps, kTtl).ok());
  if (!harness_->Reopen()) GTEST_SKIP() << "keeps nothing across reopen";
  EXPECT_NEAR(store().ListJobs(0, 1)[0].progress(), 0.3, 1e-9);
  ASSERT_TRUE(store().ReportOutcomes({Continued(t)}).ok());
  EXPECT_EQ(store().LeaseTasks("w", 1, kTtl)->tasks.at(0).resume_cursor(), "at-3");
}

}  // namespace fanout::coordinator
