#include "coordinator/job_store_conformance.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/proto_time.h"
#include "coordinator/job_store_builders.h"
#include "coordinator/splitter.h"

namespace fanout::coordinator {
namespace {

using builders::Failure;
using builders::Spec;
using builders::Success;

using builders::kTtl;

}  // namespace

absl::StatusOr<SubmitOutcome> JobStoreConformanceTest::Submit(v1::JobSpec spec, int tasks) {
  spec.set_source(tasks == 0 ? "[]" : absl::StrCat("range:0-", tasks - 1));
  return store().SubmitJob(spec, *MakeSplitter(spec.source(), spec.options().batch_size()));
}

void JobStoreConformanceTest::SetUp() {
  harness_ = GetParam()(clock_, RetryPolicy([] { return 0.5; }));
}

TEST_P(JobStoreConformanceTest, SubmitCreatesPendingTasks) {
  absl::StatusOr<SubmitOutcome> out = Submit(Spec(), 5);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(out->created);
  EXPECT_EQ(out->job.state(), v1::JOB_RUNNING);
  EXPECT_EQ(out->job.counts().total(), 5);
  EXPECT_EQ(out->job.counts().pending(), 5);
  EXPECT_EQ(out->job.items_total(), 5);
  absl::StatusOr<std::vector<v1::Task>> tasks = store().ListTasks(out->job.job_id(), 0, 100);
  ASSERT_TRUE(tasks.ok());
  ASSERT_EQ(tasks->size(), 5);
  EXPECT_EQ((*tasks)[3].items(0), "3");
  EXPECT_EQ((*tasks)[3].state(), v1::TASK_PENDING);
}

TEST_P(JobStoreConformanceTest, SameIdempotencyKeyReturnsTheSameJob) {
  v1::JobSpec spec = Spec();
  spec.set_idempotency_key("nightly-2026-11-27");
  absl::StatusOr<SubmitOutcome> first = Submit(spec, 3);
  absl::StatusOr<SubmitOutcome> second = Submit(spec, 3);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_FALSE(second->created);
  EXPECT_EQ(first->job.job_id(), second->job.job_id());
  EXPECT_EQ(store().ListJobs(0, 10).size(), 1);
}

TEST_P(JobStoreConformanceTest, SameIdempotencyKeyWithAnotherSpecIsRefused) {
  v1::JobSpec spec = Spec();
  spec.set_idempotency_key("k");
  ASSERT_TRUE(Submit(spec, 1).ok());
  spec.set_function("builtin:sleep");
  absl::StatusOr<SubmitOutcome> again = Submit(spec, 1);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(again.status().message().find("idempotency_key"), absl::string_view::npos);
}

TEST_P(JobStoreConformanceTest, LeaseHandsOutAtMostMaxTasksEachWithAnEpoch) {
  ASSERT_TRUE(Submit(Spec(), 5).ok());
  absl::StatusOr<LeaseGrant> grant = store().LeaseTasks("w1", 3, kTtl);
  ASSERT_TRUE(grant.ok());
  ASSERT_EQ(grant->tasks.size(), 3);
  ASSERT_EQ(grant->jobs.size(), 1);
  EXPECT_EQ(grant->jobs[0].function(), "builtin:noop");
  EXPECT_EQ(grant->tasks[0].ref().epoch(), 1);
  EXPECT_EQ(grant->tasks[0].attempt(), 1);
  EXPECT_EQ(FromProto(grant->tasks[0].lease_expires_at()), clock_.Now() + kTtl);
  EXPECT_EQ(store().LeaseTasks("w2", 10, kTtl)->tasks.size(), 2);
  EXPECT_TRUE(store().LeaseTasks("w3", 10, kTtl)->tasks.empty());
  EXPECT_EQ(store().GetJob(grant->jobs[0].job_id())->counts().running(), 5);
}

TEST_P(JobStoreConformanceTest, LeaseRespectsMaxConcurrency) {
  v1::JobSpec spec = Spec();
  spec.mutable_options()->set_max_concurrency(2);
  ASSERT_TRUE(Submit(spec, 5).ok());
  absl::StatusOr<LeaseGrant> grant = store().LeaseTasks("w", 10, kTtl);
  ASSERT_EQ(grant->tasks.size(), 2);
  EXPECT_TRUE(store().LeaseTasks("w", 10, kTtl)->tasks.empty());
  ASSERT_TRUE(store().ReportOutcomes({Success(grant->tasks[0])}).ok());
  EXPECT_EQ(store().LeaseTasks("w", 10, kTtl)->tasks.size(), 1);
}

TEST_P(JobStoreConformanceTest, MaxConcurrencyChangesWhileTheJobRuns) {
  v1::JobSpec spec = Spec();
  spec.mutable_options()->set_max_concurrency(1);
  absl::StatusOr<SubmitOutcome> sub = Submit(spec, 10);
  EXPECT_EQ(store().LeaseTasks("w", 10, kTtl)->tasks.size(), 1);
  absl::StatusOr<v1::Job> raised = store().SetMaxConcurrency(sub->job.job_id(), 4);
  ASSERT_TRUE(raised.ok()) << raised.status();
  EXPECT_EQ(raised->max_concurrency(), 4);
  EXPECT_EQ(store().LeaseTasks("w", 10, kTtl)->tasks.size(), 3);
  ASSERT_TRUE(store().SetMaxConcurrency(sub->job.job_id(), 0).ok());
  EXPECT_EQ(store().LeaseTasks("w", 10, kTtl)->tasks.size(), 6) << "0: no limit";
  if (harness_->Reopen()) EXPECT_EQ(store().GetJob(sub->job.job_id())->max_concurrency(), 0);
  ASSERT_TRUE(store().CancelJob(sub->job.job_id()).ok());
  EXPECT_EQ(store().SetMaxConcurrency(sub->job.job_id(), 2).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_P(JobStoreConformanceTest, HigherPriorityJobsLeaseFirst) {
  v1::JobSpec low = Spec();
  v1::JobSpec high = Spec();
  high.mutable_options()->set_priority(5);
  ASSERT_TRUE(Submit(low, 3).ok());
  absl::StatusOr<SubmitOutcome> urgent = Submit(high, 2);
  absl::StatusOr<LeaseGrant> grant = store().LeaseTasks("w", 2, kTtl);
  ASSERT_EQ(grant->tasks.size(), 2);
  EXPECT_EQ(grant->tasks[0].ref().job_id(), urgent->job.job_id());
  EXPECT_EQ(grant->tasks[1].ref().job_id(), urgent->job.job_id());
}

TEST_P(JobStoreConformanceTest, EqualPriorityJobsTakeTurns) {
  absl::StatusOr<SubmitOutcome> a = Submit(Spec(), 4);
  absl::StatusOr<SubmitOutcome> b = Submit(Spec(), 4);
  const std::string first = store().LeaseTasks("w", 1, kTtl)->tasks[0].ref().job_id();
  const std::string second = store().LeaseTasks("w", 1, kTtl)->tasks[0].ref().job_id();
  EXPECT_NE(first, second);
}

TEST_P(JobStoreConformanceTest, AnEndedJobsFanInStaysPendingUntilRecorded) {
  v1::JobSpec spec = Spec();
  spec.set_results("jsonl:/tmp/r.jsonl");
  const std::string id = Submit(spec, 1)->job.job_id();
  ASSERT_TRUE(Submit(Spec(), 1).ok());  // asks for no fan-in
  EXPECT_TRUE(store().PendingFanIns().empty()) << "not before the job ends";
  ASSERT_TRUE(store().CancelJob(id).ok());
  ASSERT_EQ(store().PendingFanIns().size(), 1);
  if (harness_->Reopen()) ASSERT_EQ(store().PendingFanIns().size(), 1) << "survives a restart";
  v1::FanIn written;
  written.set_state(v1::FanIn::FAN_IN_WRITTEN);
  written.set_manifest("/tmp/r.manifest.json");
  ASSERT_TRUE(store().RecordFanIn(id, 0, written).ok());
  EXPECT_TRUE(store().PendingFanIns().empty());
  if (harness_->Reopen()) EXPECT_TRUE(store().PendingFanIns().empty());
  EXPECT_EQ(store().GetJob(id)->fan_in().manifest(), "/tmp/r.manifest.json");
}

TEST_P(JobStoreConformanceTest, SuccessfulResultsEndTheJob) {
  ASSERT_TRUE(Submit(Spec(), 2).ok());
  LeaseGrant grant = *store().LeaseTasks("w", 10, kTtl);
  absl::StatusOr<std::vector<ReportVerdict>> verdicts =
      store().ReportOutcomes({Success(grant.tasks[0]), Success(grant.tasks[1])});
  ASSERT_TRUE(verdicts.ok());
  EXPECT_EQ((*verdicts)[0], ReportVerdict::kAccepted);
  v1::Job job = *store().GetJob(grant.jobs[0].job_id());
  EXPECT_EQ(job.state(), v1::JOB_SUCCEEDED);
  EXPECT_EQ(job.counts().succeeded(), 2);
  std::vector<v1::Task> tasks = *store().ListTasks(job.job_id(), 0, 10);
  EXPECT_EQ(tasks[1].results(0), "\"r1\"");
  EXPECT_EQ(tasks[1].state(), v1::TASK_SUCCEEDED);
}

TEST_P(JobStoreConformanceTest, ResultFromAStaleEpochIsRefused) {
  ASSERT_TRUE(Submit(Spec(), 1).ok());
  v1::LeasedTask old = store().LeaseTasks("w1", 1, kTtl)->tasks[0];
  clock_.Advance(kTtl + absl::Seconds(1));
  ASSERT_EQ(*store().ExpireLeases(), 1);
  clock_.Advance(absl::Seconds(2));  // past the backoff
  v1::LeasedTask current = store().LeaseTasks("w2", 1, kTtl)->tasks[0];
  EXPECT_EQ(current.ref().epoch(), old.ref().epoch() + 1);
  EXPECT_EQ((*store().ReportOutcomes({Success(old)}))[0], ReportVerdict::kStale);
  EXPECT_EQ((*store().RenewLeases({old.ref()}, kTtl))[0], v1::LEASE_LOST);
  EXPECT_EQ((*store().ReportOutcomes({Success(current)}))[0], ReportVerdict::kAccepted);
  EXPECT_EQ(store().GetJob(current.ref().job_id())->counts().succeeded(), 1);
}

TEST_P(JobStoreConformanceTest, RepeatedReportCommitsOnce) {
  ASSERT_TRUE(Submit(Spec(), 2).ok());
  LeaseGrant grant = *store().LeaseTasks("w", 10, kTtl);
  ASSERT_EQ((*store().ReportOutcomes({Success(grant.tasks[0])}))[0], ReportVerdict::kAccepted);
  EXPECT_EQ((*store().ReportOutcomes({Success(grant.tasks[0])}))[0], ReportVerdict::kDuplicate);
  EXPECT_EQ(store().GetJob(grant.jobs[0].job_id())->counts().succeeded(), 1);
}

TEST_P(JobStoreConformanceTest, RenewalKeepsTheLeasePastItsFirstExpiry) {
  ASSERT_TRUE(Submit(Spec(), 1).ok());
  v1::LeasedTask t = store().LeaseTasks("w", 1, kTtl)->tasks[0];
  clock_.Advance(kTtl - absl::Seconds(1));
  EXPECT_EQ((*store().RenewLeases({t.ref()}, kTtl))[0], v1::LEASE_OK);
  clock_.Advance(absl::Seconds(5));
  EXPECT_EQ(*store().ExpireLeases(), 0);
  EXPECT_EQ((*store().ReportOutcomes({Success(t)}))[0], ReportVerdict::kAccepted);
}

TEST_P(JobStoreConformanceTest, ExpiredLeaseReturnsTaskToPendingAndUsesAnAttempt) {
  absl::StatusOr<SubmitOutcome> sub = Submit(Spec(), 1);
  ASSERT_TRUE(store().LeaseTasks("w", 1, kTtl).ok());
  clock_.Advance(kTtl);
  EXPECT_EQ(*store().ExpireLeases(), 1);
  v1::Task task = (*store().ListTasks(sub->job.job_id(), 0, 1))[0];
  EXPECT_EQ(task.state(), v1::TASK_PENDING);
  EXPECT_EQ(task.attempt(), 1);
  EXPECT_EQ(task.error().code(), v1::ERROR_RETRYABLE);
  EXPECT_NE(task.error().message().find("lease expired"), std::string::npos);
}

TEST_P(JobStoreConformanceTest, RetryableFailureWaitsOutItsBackoff) {
  ASSERT_TRUE(Submit(Spec(), 1).ok());
  v1::LeasedTask t = store().LeaseTasks("w", 1, kTtl)->tasks[0];
  ASSERT_TRUE(store().ReportOutcomes({Failure(t, v1::ERROR_RETRYABLE)}).ok());
  // Backoff after the first failure: 1 s * (0.5 + 0.5 * 0.5) = 750 ms.
  EXPECT_TRUE(store().LeaseTasks("w", 1, kTtl)->tasks.empty());
  EXPECT_EQ(store().NextWakeup(), clock_.Now() + absl::Milliseconds(750));
  clock_.Advance(absl::Milliseconds(750));
  std::vector<v1::LeasedTask> again = store().LeaseTasks("w", 1, kTtl)->tasks;
  ASSERT_EQ(again.size(), 1);
  EXPECT_EQ(again[0].attempt(), 2);
}

TEST_P(JobStoreConformanceTest, TaskIsDeadAfterMaxAttemptsAndTheJobFails) {
  ASSERT_TRUE(Submit(Spec(/*max_attempts=*/2), 1).ok());
  for (int i = 0; i < 2; ++i) {
    std::vector<v1::LeasedTask> t = store().LeaseTasks("w", 1, kTtl)->tasks;
    ASSERT_EQ(t.size(), 1) << "attempt " << i + 1;
    ASSERT_TRUE(store().ReportOutcomes({Failure(t[0], v1::ERROR_TIMEOUT)}).ok());
    clock_.Advance(absl::Minutes(1));
  }
  v1::Job job = store().ListJobs(0, 1)[0];
  EXPECT_EQ(job.counts().dead(), 1);
  EXPECT_EQ(job.state(), v1::JOB_FAILED);
  v1::Task task = (*store().ListTasks(job.job_id(), 0, 1))[0];
  EXPECT_EQ(task.state(), v1::TASK_DEAD);
  EXPECT_EQ(task.attempts_size(), 2);
  EXPECT_EQ(task.error().code(), v1::ERROR_TIMEOUT);
}

TEST_P(JobStoreConformanceTest, FatalFailureIsNotRetried) {
  ASSERT_TRUE(Submit(Spec(), 2).ok());
  LeaseGrant grant = *store().LeaseTasks("w", 2, kTtl);
  ASSERT_TRUE(store()
                  .ReportOutcomes(
                      {Failure(grant.tasks[0], v1::ERROR_INVALID_INPUT), Success(grant.tasks[1])})
                  .ok());
  v1::Job job = *store().GetJob(grant.jobs[0].job_id());
  EXPECT_EQ(job.counts().failed(), 1);
  EXPECT_EQ(job.counts().succeeded(), 1);
  EXPECT_EQ(job.state(), v1::JOB_FAILED);
}

TEST_P(JobStoreConformanceTest, FailuresWithinToleranceStillSucceed) {
  v1::JobSpec spec = Spec();
  spec.mutable_options()->set_tolerated_failure_count(1);
  ASSERT_TRUE(Submit(spec, 3).ok());
  LeaseGrant grant = *store().LeaseTasks("w", 3, kTtl);
  ASSERT_TRUE(store()
                  .ReportOutcomes({Failure(grant.tasks[0], v1::ERROR_FATAL),
                                   Success(grant.tasks[1]), Success(grant.tasks[2])})
                  .ok());
  EXPECT_EQ(store().GetJob(grant.jobs[0].job_id())->state(), v1::JOB_SUCCEEDED);
}

TEST_P(JobStoreConformanceTest, FailuresPastToleranceStopTheJob) {
  v1::JobSpec spec = Spec();
  spec.mutable_options()->set_tolerated_failure_count(1);
  ASSERT_TRUE(Submit(spec, 5).ok());
  LeaseGrant grant = *store().LeaseTasks("w", 2, kTtl);
  ASSERT_TRUE(store()
                  .ReportOutcomes({Failure(grant.tasks[0], v1::ERROR_FATAL),
                                   Failure(grant.tasks[1], v1::ERROR_FATAL)})
                  .ok());
  v1::Job job = *store().GetJob(grant.jobs[0].job_id());
  EXPECT_EQ(job.state(), v1::JOB_FAILED);
  EXPECT_EQ(job.counts().cancelled(), 3);
  EXPECT_TRUE(store().LeaseTasks("w", 5, kTtl)->tasks.empty());
}

TEST_P(JobStoreConformanceTest, CancelEndsPendingAndRunningTasks) {
  ASSERT_TRUE(Submit(Spec(), 3).ok());
  v1::LeasedTask running = store().LeaseTasks("w", 1, kTtl)->tasks[0];
  absl::StatusOr<v1::Job> job = store().CancelJob(running.ref().job_id());
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->state(), v1::JOB_CANCELLED);
  EXPECT_EQ(job->counts().cancelled(), 3);
  EXPECT_EQ((*store().RenewLeases({running.ref()}, kTtl))[0], v1::LEASE_CANCELLED);
  EXPECT_EQ((*store().ReportOutcomes({Success(running)}))[0], ReportVerdict::kStale);
  EXPECT_TRUE(store().LeaseTasks("w", 5, kTtl)->tasks.empty());
  EXPECT_EQ(store().CancelJob("job-999").status().code(), absl::StatusCode::kNotFound);
}

TEST_P(JobStoreConformanceTest, ReleasedTaskReturnsWithoutUsingAnAttempt) {
  ASSERT_TRUE(Submit(Spec(), 1).ok());
  v1::LeasedTask t = store().LeaseTasks("w", 1, kTtl)->tasks[0];
  ASSERT_EQ((*store().ReportOutcomes({builders::Released(t)}))[0], ReportVerdict::kAccepted);
  std::vector<v1::LeasedTask> again = store().LeaseTasks("w2", 1, kTtl)->tasks;
  ASSERT_EQ(again.size(), 1);
  EXPECT_EQ(again[0].attempt(), 1);
  EXPECT_EQ(again[0].ref().epoch(), 2);
}

TEST_P(JobStoreConformanceTest, ReportsAboutUnknownTasksAreNamedSo) {
  v1::TaskOutcome o;
  o.mutable_ref()->set_job_id("job-42");
  o.mutable_ref()->set_index(0);
  EXPECT_EQ((*store().ReportOutcomes({o}))[0], ReportVerdict::kUnknown);
}

TEST_P(JobStoreConformanceTest, EmptyJobSucceedsAtOnce) {
  absl::StatusOr<SubmitOutcome> out = Submit(Spec(), 0);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->job.state(), v1::JOB_SUCCEEDED);
}

TEST_P(JobStoreConformanceTest, ListTasksPagesByIndex) {
  absl::StatusOr<SubmitOutcome> out = Submit(Spec(), 25);
  std::vector<v1::Task> page = *store().ListTasks(out->job.job_id(), 10, 10);
  ASSERT_EQ(page.size(), 10);
  EXPECT_EQ(page.front().index(), 10);
  EXPECT_EQ(page.back().index(), 19);
  EXPECT_EQ(store().ListTasks("job-77", 0, 10).status().code(), absl::StatusCode::kNotFound);
}

TEST_P(JobStoreConformanceTest, ListJobsNewestFirst) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Submit(Spec(), 1).ok());
  std::vector<v1::Job> jobs = store().ListJobs(0, 2);
  ASSERT_EQ(jobs.size(), 2);
  EXPECT_EQ(jobs[0].job_id(), "job-3");
  EXPECT_EQ(store().ListJobs(2, 10)[0].job_id(), "job-1");
}

TEST_P(JobStoreConformanceTest, BigJobIsLeasedLazilyEachTaskOnce) {
  constexpr int kTasks = 3 * kMaterializeWindow + 17;
  absl::StatusOr<SubmitOutcome> sub = Submit(Spec(), kTasks);
  ASSERT_TRUE(sub.ok());
  std::vector<bool> seen(kTasks, false);
  for (int leased = 0; leased < kTasks;) {
    LeaseGrant grant = *store().LeaseTasks("w", 1000, kTtl);
    ASSERT_FALSE(grant.tasks.empty()) << "after " << leased;
    for (const v1::LeasedTask& t : grant.tasks) {
      ASSERT_FALSE(seen[t.ref().index()]);
      seen[t.ref().index()] = true;
      ASSERT_EQ(t.items(0), std::to_string(t.ref().index()));
    }
    leased += grant.tasks.size();
  }
  EXPECT_TRUE(store().LeaseTasks("w", 1000, kTtl)->tasks.empty());
  EXPECT_EQ(store().GetJob(sub->job.job_id())->counts().running(), kTasks);
}

TEST_P(JobStoreConformanceTest, CancelCountsTasksThatNeverMaterialized) {
  constexpr int kTasks = 2 * kMaterializeWindow;
  absl::StatusOr<SubmitOutcome> sub = Submit(Spec(), kTasks);
  ASSERT_TRUE(store().LeaseTasks("w", 10, kTtl).ok());
  v1::Job job = *store().CancelJob(sub->job.job_id());
  EXPECT_EQ(job.counts().cancelled(), kTasks);
  EXPECT_EQ(job.counts().pending(), 0);
  v1::Task last = (*store().ListTasks(job.job_id(), kTasks - 1, 5))[0];
  EXPECT_EQ(last.state(), v1::TASK_CANCELLED);
  EXPECT_EQ(last.items(0), std::to_string(kTasks - 1));
  EXPECT_EQ(last.error().code(), v1::ERROR_CANCELLED);
}

// --- Durability: only for implementations that keep their data ---

TEST_P(JobStoreConformanceTest, PendingTasksAreRederivedAfterReopen) {
  constexpr int kTasks = 2 * kMaterializeWindow + 5;
  absl::StatusOr<SubmitOutcome> sub = Submit(Spec(), kTasks);
  LeaseGrant first = *store().LeaseTasks("w", 7, kTtl);
  if (!harness_->Reopen()) GTEST_SKIP() << "keeps nothing across reopen";
  std::vector<bool> seen(kTasks, false);
  for (const v1::LeasedTask& t : first.tasks) seen[t.ref().index()] = true;
  int leased = first.tasks.size();
  for (LeaseGrant g; !(g = *store().LeaseTasks("w2", 1000, kTtl)).tasks.empty();) {
    for (const v1::LeasedTask& t : g.tasks) {
      ASSERT_FALSE(seen[t.ref().index()]) << "leased twice: " << t.ref().index();
      seen[t.ref().index()] = true;
      ASSERT_EQ(t.items(0), std::to_string(t.ref().index()));
    }
    leased += g.tasks.size();
  }
  EXPECT_EQ(leased, kTasks);
  EXPECT_EQ(store().GetJob(sub->job.job_id())->counts().running(), kTasks);
}

TEST_P(JobStoreConformanceTest, EverythingAcknowledgedSurvivesReopen) {
  v1::JobSpec spec = Spec();
  spec.set_idempotency_key("once");
  absl::StatusOr<SubmitOutcome> sub = Submit(spec, 4);
  LeaseGrant grant = *store().LeaseTasks("w", 2, kTtl);
  ASSERT_TRUE(store().ReportOutcomes({Success(grant.tasks[0])}).ok());
  if (!harness_->Reopen()) GTEST_SKIP() << "keeps nothing across reopen";
  v1::Job job = *store().GetJob(sub->job.job_id());
  EXPECT_EQ(job.counts().succeeded(), 1);
  EXPECT_EQ(job.counts().running(), 1);
  EXPECT_EQ(job.counts().pending(), 2);
  EXPECT_FALSE(Submit(spec, 4)->created);
  // The two pending tasks lease again; the running one keeps its lease and epoch.
  EXPECT_EQ(store().LeaseTasks("w2", 10, kTtl)->tasks.size(), 2);
  EXPECT_EQ((*store().RenewLeases({grant.tasks[1].ref()}, kTtl))[0], v1::LEASE_OK);
  EXPECT_EQ((*store().ReportOutcomes({Success(grant.tasks[0])}))[0], ReportVerdict::kDuplicate);
  EXPECT_EQ(Submit(Spec(), 1)->job.job_id(), "job-2");
}

TEST_P(JobStoreConformanceTest, LeaseOfAKilledWorkerIsReissuedOnlyAfterItExpires) {
  ASSERT_TRUE(Submit(Spec(), 1).ok());
  v1::LeasedTask t = store().LeaseTasks("dead-worker", 1, kTtl)->tasks[0];
  if (!harness_->Reopen()) GTEST_SKIP() << "keeps nothing across reopen";
  clock_.Advance(kTtl - absl::Seconds(1));
  EXPECT_EQ(*store().ExpireLeases(), 0);
  EXPECT_TRUE(store().LeaseTasks("w", 1, kTtl)->tasks.empty());
  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(*store().ExpireLeases(), 1);
  clock_.Advance(absl::Seconds(1));
  std::vector<v1::LeasedTask> again = store().LeaseTasks("w", 1, kTtl)->tasks;
  ASSERT_EQ(again.size(), 1);
  EXPECT_EQ(again[0].ref().epoch(), t.ref().epoch() + 1);
}

TEST_P(JobStoreConformanceTest, BackoffSurvivesReopen) {
  ASSERT_TRUE(Submit(Spec(), 1).ok());
  v1::LeasedTask t = store().LeaseTasks("w", 1, kTtl)->tasks[0];
  ASSERT_TRUE(store().ReportOutcomes({Failure(t, v1::ERROR_RETRYABLE)}).ok());
  if (!harness_->Reopen()) GTEST_SKIP() << "keeps nothing across reopen";
  EXPECT_TRUE(store().LeaseTasks("w", 1, kTtl)->tasks.empty());
  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(store().LeaseTasks("w", 1, kTtl)->tasks.size(), 1);
}

}  // namespace fanout::coordinator
