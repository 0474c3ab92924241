// Conformance: many jobs submitted in one call (a trigger's events), each judged as SubmitJob
// would.
#include <set>
#include <string>
#include <vector>

#include "coordinator/job_store_builders.h"
#include "coordinator/job_store_conformance.h"
#include "coordinator/splitter.h"

namespace fanout::coordinator {
namespace {

SubmitRequest Keyed(const std::string& source, const std::string& key) {
  SubmitRequest request{builders::Spec(), *MakeSplitter(source, 1)};
  request.spec.set_source(source);
  request.spec.set_idempotency_key(key);
  return request;
}

}  // namespace

TEST_P(JobStoreConformanceTest, SubmitJobsAnswersEachSpecInOrderAndSeesEarlierKeys) {
  std::vector<SubmitRequest> requests;
  requests.push_back(Keyed("[1]", "k-1"));
  requests.push_back(Keyed("[2,3]", "k-2"));
  requests.push_back(Keyed("[1]", "k-1"));  // the first one again: one job
  requests.push_back(Keyed("[9]", "k-2"));  // k-2 with another spec: refused alone
  requests.push_back(Keyed("[4]", ""));
  std::vector<absl::StatusOr<SubmitOutcome>> answers = store().SubmitJobs(std::move(requests));
  ASSERT_EQ(answers.size(), 5u);
  for (int i : {0, 1, 2, 4}) ASSERT_TRUE(answers[i].ok()) << i << ": " << answers[i].status();
  EXPECT_TRUE(answers[0]->created);
  EXPECT_TRUE(answers[1]->created);
  EXPECT_FALSE(answers[2]->created);
  EXPECT_EQ(answers[2]->job.job_id(), answers[0]->job.job_id());
  EXPECT_EQ(answers[3].status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(answers[4]->created);
  EXPECT_EQ(answers[1]->job.counts().total(), 2u);
  const std::set<std::string> ids = {answers[0]->job.job_id(), answers[1]->job.job_id(),
                                     answers[4]->job.job_id()};
  EXPECT_EQ(ids.size(), 3u);
  const std::string k2_job = answers[1]->job.job_id();
  harness_->Reopen();
  for (const std::string& id : ids) {
    absl::StatusOr<v1::Job> job = store().GetJob(id);
    EXPECT_TRUE(job.ok()) << id << ": " << job.status();
  }
  // Redelivered after the restart: known, nothing new.
  std::vector<SubmitRequest> again;
  again.push_back(Keyed("[2,3]", "k-2"));
  answers = store().SubmitJobs(std::move(again));
  ASSERT_TRUE(answers[0].ok()) << answers[0].status();
  EXPECT_FALSE(answers[0]->created);
  EXPECT_EQ(answers[0]->job.job_id(), k2_job);
}

TEST_P(JobStoreConformanceTest, SubmitJobsOfNothingAnswersNothing) {
  EXPECT_TRUE(store().SubmitJobs({}).empty());
}

}  // namespace fanout::coordinator
