// Conformance, continued: jobs over sequential sources, whose tasks arrive with the source's
// cursor.
#include "coordinator/job_store_builders.h"
#include "coordinator/job_store_conformance.h"

namespace fanout::coordinator {
namespace {

using builders::Success;

using builders::kTtl;

std::vector<NewTask> Tasks(std::initializer_list<const char*> items) {
  std::vector<NewTask> out;
  for (const char* item : items) out.push_back({{item}, ""});
  return out;
}

}  // namespace

TEST_P(JobStoreConformanceTest, ASequentialJobEndsOnlyOnceItsListingIsDone) {
  v1::JobSpec spec = builders::Spec();
  spec.set_source("jsonl:/m.jsonl");
  absl::StatusOr<SubmitOutcome> sub = store().SubmitJob(spec, nullptr);
  ASSERT_TRUE(sub.ok());
  const uint64_t seq = SeqFromJobId(sub->job.job_id()).value();
  ASSERT_EQ(store().PendingSplits().size(), 1);
  ASSERT_TRUE(store().AppendTasks(seq, Tasks({"1", "2"}), "after-2", false).ok());
  LeaseGrant grant = *store().LeaseTasks("w", 10, kTtl);
  ASSERT_EQ(grant.tasks.size(), 2);
  ASSERT_TRUE(store().ReportOutcomes({Success(grant.tasks[0]), Success(grant.tasks[1])}).ok());
  EXPECT_EQ(store().GetJob(sub->job.job_id())->state(), v1::JOB_RUNNING)
      << "more may come from the source";
  EXPECT_EQ(store().PendingSplits()[0].cursor, "after-2");
  ASSERT_TRUE(store().AppendTasks(seq, {}, "end", true).ok());
  v1::Job job = *store().GetJob(sub->job.job_id());
  EXPECT_EQ(job.state(), v1::JOB_SUCCEEDED);
  EXPECT_EQ(job.counts().total(), 2);
  EXPECT_TRUE(store().PendingSplits().empty());
  EXPECT_EQ(store().AppendTasks(seq, Tasks({"3"}), "x", false).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_P(JobStoreConformanceTest, AFailurePercentIsJudgedOnTheWholeListing) {
  v1::JobSpec spec = builders::Spec();
  spec.set_source("jsonl:/m.jsonl");
  spec.mutable_options()->set_tolerated_failure_percent(50);
  const std::string id = store().SubmitJob(spec, nullptr)->job.job_id();
  const uint64_t seq = SeqFromJobId(id).value();
  // The first chunk is all bad lines: 100% of what is known so far, 20% of the whole manifest.
  std::vector<NewTask> bad = {{{"\"x\""}, "line 1: not valid JSON"},
                              {{"\"y\""}, "line 2: not valid JSON"}};
  ASSERT_TRUE(store().AppendTasks(seq, std::move(bad), "after-2", false).ok());
  EXPECT_EQ(store().GetJob(id)->state(), v1::JOB_RUNNING);
  ASSERT_TRUE(
      store().AppendTasks(seq, Tasks({"1", "2", "3", "4", "5", "6", "7", "8"}), "end", true).ok());
  LeaseGrant grant = *store().LeaseTasks("w", 10, kTtl);
  ASSERT_EQ(grant.tasks.size(), 8);
  std::vector<v1::TaskOutcome> outcomes;
  for (const v1::LeasedTask& t : grant.tasks) outcomes.push_back(Success(t));
  ASSERT_TRUE(store().ReportOutcomes({outcomes.begin(), outcomes.end()}).ok());
  EXPECT_EQ(store().GetJob(id)->state(), v1::JOB_SUCCEEDED);
}

TEST_P(JobStoreConformanceTest, ABadSourceEntryFailsItsOwnTaskOnly) {
  v1::JobSpec spec = builders::Spec();
  spec.set_source("jsonl:/m.jsonl");
  spec.mutable_options()->set_tolerated_failure_count(5);
  const std::string id = store().SubmitJob(spec, nullptr)->job.job_id();
  std::vector<NewTask> tasks = Tasks({"1"});
  tasks.push_back({{"\"garbage\""}, "jsonl:/m.jsonl line 2: not valid JSON"});
  ASSERT_TRUE(store().AppendTasks(SeqFromJobId(id).value(), std::move(tasks), "c", true).ok());
  LeaseGrant grant = *store().LeaseTasks("w", 10, kTtl);
  ASSERT_EQ(grant.tasks.size(), 1);
  ASSERT_TRUE(store().ReportOutcomes({Success(grant.tasks[0])}).ok());
  v1::Job job = *store().GetJob(id);
  EXPECT_EQ(job.state(), v1::JOB_SUCCEEDED);
  EXPECT_EQ(job.counts().failed(), 1);
  v1::Task bad = (*store().ListTasks(id, 1, 1))[0];
  EXPECT_EQ(bad.error().code(), v1::ERROR_INVALID_INPUT);
  EXPECT_EQ(bad.items(0), "\"garbage\"");
}

TEST_P(JobStoreConformanceTest, FailingASequentialJobCancelsWhatIsLeft) {
  v1::JobSpec spec = builders::Spec();
  spec.set_source("s3://gone/");
  const std::string id = store().SubmitJob(spec, nullptr)->job.job_id();
  const uint64_t seq = SeqFromJobId(id).value();
  ASSERT_TRUE(store().AppendTasks(seq, Tasks({"1", "2"}), "c", false).ok());
  ASSERT_TRUE(store().FailJob(seq, "source: s3://gone/: NoSuchBucket").ok());
  v1::Job job = *store().GetJob(id);
  EXPECT_EQ(job.state(), v1::JOB_FAILED);
  EXPECT_EQ(job.message(), "source: s3://gone/: NoSuchBucket");
  EXPECT_EQ(job.counts().cancelled(), 2);
}

TEST_P(JobStoreConformanceTest, SplitTasksAndTheCursorSurviveReopen) {
  v1::JobSpec spec = builders::Spec();
  spec.set_source("jsonl:/m.jsonl");
  const std::string id = store().SubmitJob(spec, nullptr)->job.job_id();
  ASSERT_TRUE(
      store().AppendTasks(SeqFromJobId(id).value(), Tasks({"10", "11", "12"}), "c3", false).ok());
  std::vector<v1::LeasedTask> first = store().LeaseTasks("w", 1, kTtl)->tasks;
  if (!harness_->Reopen()) GTEST_SKIP() << "keeps nothing across reopen";
  std::vector<SplitWork> splits = store().PendingSplits();
  ASSERT_EQ(splits.size(), 1);
  EXPECT_EQ(splits[0].cursor, "c3");
  EXPECT_EQ(splits[0].job_id, id);
  std::vector<v1::LeasedTask> rest = store().LeaseTasks("w", 10, kTtl)->tasks;
  ASSERT_EQ(rest.size(), 2);
  EXPECT_EQ(rest[0].items(0), "11");
  EXPECT_EQ(rest[1].items(0), "12");
  EXPECT_EQ(store().GetJob(id)->counts().total(), 3);
}

}  // namespace fanout::coordinator
