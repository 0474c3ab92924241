// JobManager and its workers: who is live or gone, and what they say runs.
#include <map>
#include <string>

#include "coordinator/job_manager_fixture.h"
#include "gtest/gtest.h"

namespace fanout::coordinator {
namespace {

TEST_F(JobManagerTest, AWorkerThatLeftOrWentSilentIsGone) {
  v1::RenewLeasesRequest hello;
  hello.mutable_worker()->set_worker_id("w2");
  ASSERT_TRUE(manager_.RenewLeases(hello).ok());
  ASSERT_TRUE(LeaseNow(manager_).ok());  // w1
  v1::RenewLeasesRequest goodbye = hello;
  goodbye.mutable_worker()->set_leaving(true);
  ASSERT_TRUE(manager_.RenewLeases(goodbye).ok());
  std::map<std::string, bool> gone;
  for (const v1::WorkerStatus& w : Workers(manager_)) gone[w.worker_id()] = w.gone();
  EXPECT_FALSE(gone["w1"]);
  EXPECT_TRUE(gone["w2"]);
  // A call it sent before its goodbye, arriving after: still gone, and no tasks for it.
  ASSERT_TRUE(manager_.RenewLeases(hello).ok());
  ASSERT_TRUE(manager_.SubmitJob(Spec()).ok());
  v1::LeaseTasksRequest late = LeaseRequest(absl::Seconds(30));
  *late.mutable_worker() = hello.worker();
  std::shared_ptr<Pending> leased = Lease(late);
  ASSERT_TRUE(leased->done.WaitForNotificationWithTimeout(absl::Seconds(5))) << "parked";
  EXPECT_EQ(leased->response->tasks_size(), 0);
  for (const v1::WorkerStatus& w : Workers(manager_)) gone[w.worker_id()] = w.gone();
  EXPECT_TRUE(gone["w2"]);
  // Started again under the same id: back.
  v1::RenewLeasesRequest again = hello;
  again.mutable_worker()->mutable_started_at()->set_seconds(1);
  ASSERT_TRUE(manager_.RenewLeases(again).ok());
  for (const v1::WorkerStatus& w : Workers(manager_)) gone[w.worker_id()] = w.gone();
  EXPECT_FALSE(gone["w2"]);
  clock_.Advance(manager_.lease_ttl() + absl::Seconds(1));
  for (const v1::WorkerStatus& w : Workers(manager_)) gone[w.worker_id()] = w.gone();
  EXPECT_TRUE(gone["w1"]) << "not heard from within the lease TTL";
}

// "running" is what workers say runs, not what they leased: a task queued at a worker to start
// next is leased and not running; a gone worker's word counts no more.
TEST_F(JobManagerTest, HandlersRunningAreWhatLiveWorkersSayRuns) {
  ASSERT_TRUE(manager_.SubmitJob(Spec("range:1-6")).ok());
  absl::StatusOr<v1::LeaseTasksResponse> lease = LeaseNow(manager_);  // w1 leases all 6
  ASSERT_TRUE(lease.ok());
  ASSERT_EQ(lease->tasks_size(), 6);
  EXPECT_EQ(manager_.GetJob("job-1")->counts().handlers_running(), 0) << "none said to run yet";
  v1::RenewLeasesRequest renew;
  renew.mutable_worker()->set_worker_id("w1");
  (*renew.mutable_worker()->mutable_running_by_job())["job-1"] = 2;
  (*renew.mutable_worker()->mutable_running_by_job())["job-9"] = 3;  // not this job's
  ASSERT_TRUE(manager_.RenewLeases(renew).ok());
  absl::StatusOr<v1::Job> job = manager_.GetJob("job-1");
  EXPECT_EQ(job->counts().running(), 6);
  EXPECT_EQ(job->counts().handlers_running(), 2);
  v1::ListJobsResponse list = *manager_.ListJobs({});
  EXPECT_EQ(list.jobs(0).counts().handlers_running(), 2);
  EXPECT_EQ(manager_.GetJobSummary("job-1")->counts().handlers_running(), 2);
  // A report is sent as a task ends, its slot idle for a moment: its word is not a sample.
  v1::ReportResultsRequest report;
  report.mutable_worker()->set_worker_id("w1");
  ASSERT_TRUE(manager_.ReportResults(report).ok());
  EXPECT_EQ(manager_.GetJob("job-1")->counts().handlers_running(), 2);
  clock_.Advance(manager_.lease_ttl() + absl::Seconds(1));
  job = manager_.GetJob("job-1");
  ASSERT_EQ(job->counts().running(), 6) << "the leases are not swept yet";
  EXPECT_EQ(job->counts().handlers_running(), 0) << "w1 is gone";
}

}  // namespace
}  // namespace fanout::coordinator
