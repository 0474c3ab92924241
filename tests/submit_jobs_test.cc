// JobService.SubmitJobs against a real coordinator: many jobs in one call, each judged alone, and
// the bad-input classes of the call itself (none, too many, one bad among good).
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_cluster.h"

namespace fanout::testing {
namespace {

using ::testing::HasSubstr;

v1::JobSpec Noop(const std::string& source, const std::string& key) {
  v1::JobSpec spec;
  spec.set_function("builtin:noop");
  spec.set_source(source);
  spec.set_idempotency_key(key);
  return spec;
}

grpc::Status Call(TestCluster& cluster, const v1::SubmitJobsRequest& request,
                  v1::SubmitJobsResponse* response) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  return cluster.jobs().SubmitJobs(&context, request, response);
}

TEST(SubmitJobsTest, EachSpecIsJudgedAloneAndTheCallItselfIsBounded) {
  TestCluster cluster("submit-jobs");
  ASSERT_TRUE(cluster.StartCoordinator().ok());
  ASSERT_TRUE(cluster.StartWorker("w", 2).ok());

  v1::SubmitJobsRequest request;
  *request.add_specs() = Noop("[1]", "event-1");
  *request.add_specs() = Noop("[1", "event-2");  // malformed source: refused alone
  *request.add_specs() = Noop("[3]", "event-3");
  *request.add_specs() = Noop("[1]", "event-1");  // the same event again: the same job
  v1::SubmitJobsResponse response;
  ASSERT_TRUE(Call(cluster, request, &response).ok());
  ASSERT_EQ(response.results_size(), 4);
  EXPECT_EQ(response.results(0).error_code(), 0);
  EXPECT_TRUE(response.results(0).created());
  EXPECT_EQ(response.results(1).error_code(), static_cast<int>(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(response.results(1).error(), HasSubstr("source"));
  EXPECT_TRUE(response.results(1).job_id().empty());
  EXPECT_TRUE(response.results(2).created());
  EXPECT_FALSE(response.results(3).created());
  EXPECT_EQ(response.results(3).job_id(), response.results(0).job_id());
  for (int i : {0, 2}) {
    absl::StatusOr<v1::Job> done =
        cluster.WaitForJob(response.results(i).job_id(), absl::Seconds(30));
    ASSERT_TRUE(done.ok()) << done.status();
    EXPECT_EQ(done->state(), v1::JOB_SUCCEEDED);
  }

  // None: nothing, not an error.
  v1::SubmitJobsResponse none;
  ASSERT_TRUE(Call(cluster, v1::SubmitJobsRequest(), &none).ok());
  EXPECT_EQ(none.results_size(), 0);

  // Past the limit: refused as a whole, saying so; nothing was made.
  v1::SubmitJobsRequest many;
  for (int i = 0; i < 1001; ++i) *many.add_specs() = Noop("[1]", "many-" + std::to_string(i));
  v1::SubmitJobsResponse refused;
  grpc::Status status = Call(cluster, many, &refused);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("1001 jobs in one call, over the limit of 1000"));
  many.mutable_specs()->RemoveLast();
  v1::SubmitJobsResponse taken;
  ASSERT_TRUE(Call(cluster, many, &taken).ok());
  EXPECT_EQ(taken.results_size(), 1000);
  EXPECT_TRUE(taken.results(0).created()) << "the refused call made no job of its specs";
}

}  // namespace
}  // namespace fanout::testing
