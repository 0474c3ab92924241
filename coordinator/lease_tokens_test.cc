// Worker calls bound to their lease: a renewal, checkpoint or report is taken only with the token
// its grant carried, for the worker it was granted to; a guessed epoch, a token of another worker
// and no token at all are refused (and counted), and nothing of them is committed.
#include "coordinator/lease_tokens.h"

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>

#include "absl/synchronization/notification.h"
#include "coordinator/in_memory_job_store.h"
#include "coordinator/job_manager.h"
#include "gtest/gtest.h"

namespace fanout::coordinator {
namespace {

TEST(LeaseTokensTest, ATokenIsBoundToTaskEpochAndWorker) {
  const LeaseTokens tokens = LeaseTokens::Random();
  v1::TaskRef ref;
  ref.set_job_id("job-1");
  ref.set_index(3);
  ref.set_epoch(7);
  ref.set_lease_token(tokens.Sign(ref, "w1"));
  EXPECT_EQ(ref.lease_token().size(), 16u);
  EXPECT_TRUE(tokens.Verify(ref, "w1"));
  EXPECT_FALSE(tokens.Verify(ref, "w2"));
  EXPECT_FALSE(LeaseTokens::Random().Verify(ref, "w1")) << "another coordinator's key";
  for (auto change :
       {+[](v1::TaskRef& r) { r.set_epoch(8); }, +[](v1::TaskRef& r) { r.set_index(4); },
        +[](v1::TaskRef& r) { r.set_job_id("job-10"); },
        +[](v1::TaskRef& r) { r.clear_lease_token(); }}) {
    v1::TaskRef other = ref;
    change(other);
    EXPECT_FALSE(tokens.Verify(other, "w1")) << other.ShortDebugString();
  }
}

TEST(LeaseTokensTest, TheKeyOutlivesARestartAndIsPrivate) {
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/lease.key";
  std::filesystem::remove(path);
  v1::TaskRef ref;
  ref.set_job_id("job-1");
  ref.set_lease_token(LeaseTokens::FromKeyFile(path)->Sign(ref, "w1"));
  EXPECT_TRUE(LeaseTokens::FromKeyFile(path)->Verify(ref, "w1"));
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  std::filesystem::resize_file(path, 5);
  EXPECT_EQ(LeaseTokens::FromKeyFile(path).status().code(), absl::StatusCode::kDataLoss);
}

class LeaseBoundCallsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    v1::JobSpec spec;
    spec.set_function("builtin:noop");
    spec.set_source("range:1-1");
    ASSERT_TRUE(manager_.SubmitJob(spec).ok());
    v1::LeaseTasksRequest request;
    request.mutable_worker()->set_worker_id("w1");
    request.set_max_tasks(1);
    absl::Notification done;
    manager_.LeaseTasks(request, [&](absl::StatusOr<v1::LeaseTasksResponse> r) {
      ASSERT_TRUE(r.ok() && r->tasks_size() == 1);
      granted_ = r->tasks(0).ref();
      done.Notify();
    });
    done.WaitForNotification();
  }

  // The forgeries an attacker (or another worker) can make of the granted lease.
  std::vector<std::pair<std::string, v1::TaskRef>> Forgeries() {
    v1::TaskRef no_token = granted_;
    no_token.clear_lease_token();
    v1::TaskRef guessed = granted_;
    guessed.set_lease_token(std::string(16, '\0'));
    return {{"w1", no_token}, {"w1", guessed}, {"w2", granted_}};
  }

  v1::ReportStatus Report(const std::string& worker, const v1::TaskRef& ref) {
    v1::ReportResultsRequest report;
    report.mutable_worker()->set_worker_id(worker);
    v1::TaskOutcome* o = report.add_outcomes();
    *o->mutable_ref() = ref;
    o->mutable_results()->add_results("forged");
    return manager_.ReportResults(report)->statuses(0);
  }

  FakeClock clock_;
  InMemoryJobStore store_{clock_, RetryPolicy([] { return 0.5; })};
  JobManager manager_{store_, clock_, {}};
  v1::TaskRef granted_;
};

TEST_F(LeaseBoundCallsTest, ForgedReportsAreRefusedAndCommitNothing) {
  for (const auto& [worker, ref] : Forgeries()) {
    EXPECT_EQ(Report(worker, ref), v1::REPORT_STALE) << worker << " " << ref.ShortDebugString();
  }
  EXPECT_EQ(store_.ListJobs(0, 1)[0].counts().succeeded(), 0);
  EXPECT_EQ(Report("w1", granted_), v1::REPORT_ACCEPTED);
  EXPECT_EQ(store_.ListJobs(0, 1)[0].counts().succeeded(), 1);
}

TEST_F(LeaseBoundCallsTest, ForgedRenewalsAndCheckpointsAreRefused) {
  for (const auto& [worker, ref] : Forgeries()) {
    v1::RenewLeasesRequest renew;
    renew.mutable_worker()->set_worker_id(worker);
    *renew.add_leases() = ref;
    *renew.add_leases() = granted_;  // a genuine entry beside it keeps its own answer
    absl::StatusOr<v1::RenewLeasesResponse> renewed = manager_.RenewLeases(renew);
    ASSERT_TRUE(renewed.ok());
    EXPECT_EQ(renewed->statuses(0), v1::LEASE_LOST);
    EXPECT_EQ(renewed->statuses(1), worker == "w1" ? v1::LEASE_OK : v1::LEASE_LOST);
    v1::CheckpointRequest checkpoint;
    checkpoint.mutable_worker()->set_worker_id(worker);
    v1::CheckpointEntry* entry = checkpoint.add_checkpoints();
    *entry->mutable_ref() = ref;
    entry->set_cursor("forged");
    EXPECT_EQ(manager_.Checkpoint(checkpoint)->statuses(0), v1::LEASE_LOST);
  }
  absl::StatusOr<std::vector<v1::Task>> tasks = store_.ListTasks(granted_.job_id(), 0, 10);
  ASSERT_TRUE(tasks.ok());
  EXPECT_EQ((*tasks)[0].checkpoint(), "") << "no forged checkpoint was committed";
}

}  // namespace
}  // namespace fanout::coordinator
