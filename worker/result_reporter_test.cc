// The reporter against a coordinator that refuses what a call carries: batches over a size, and
// outcomes it cannot take. Every outcome is answered — the refused ones as failures that say why,
// one refused even so dropped — instead of one call retried forever; and no call carries more than
// kBatchBytes.
#include "worker/result_reporter.h"

#include <map>
#include <memory>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"

namespace fanout::worker {
namespace {

class PickyCoordinator final : public v1::WorkerService::Service {
 public:
  grpc::Status ReportResults(grpc::ServerContext*, const v1::ReportResultsRequest* request,
                             v1::ReportResultsResponse* response) override {
    absl::MutexLock lock(&mu_);
    max_call_bytes_ = std::max(max_call_bytes_, request->ByteSizeLong());
    if (request->outcomes_size() > 4) {
      return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "message too large");
    }
    // A stream broken twice under the one outcome it carries, as gRPC reports it: INTERNAL.
    if (request->outcomes_size() == 1 && request->outcomes(0).ref().index() == 50 &&
        ++flaky_failures_ <= 2) {
      return grpc::Status(grpc::StatusCode::INTERNAL, "Received RST_STREAM with error code 2");
    }
    for (const v1::TaskOutcome& o : request->outcomes()) {
      const bool poison = o.has_results() && o.results().results(0) == "\"poison\"";
      const bool always = o.ref().index() == 99;  // refused whatever it holds
      if (poison || always) return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "cannot take");
    }
    for (const v1::TaskOutcome& o : request->outcomes()) {
      seen_[o.ref().index()] = o;
      response->add_statuses(v1::REPORT_ACCEPTED);
    }
    return grpc::Status::OK;
  }

  absl::Mutex mu_;
  std::map<uint64_t, v1::TaskOutcome> seen_ ABSL_GUARDED_BY(mu_);
  size_t max_call_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  int flaky_failures_ ABSL_GUARDED_BY(mu_) = 0;
};

v1::TaskOutcome Outcome(uint64_t index, std::string result) {
  v1::TaskOutcome o;
  o.mutable_ref()->set_job_id("job-1");
  o.mutable_ref()->set_index(index);
  o.mutable_ref()->set_epoch(1);
  o.mutable_results()->add_results(std::move(result));
  return o;
}

TEST(ResultReporterTest, RefusedBatchesAreHalvedAndRefusedOutcomesFailInsteadOfLooping) {
  PickyCoordinator coordinator;
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.SetMaxReceiveMessageSize(64 << 20);
  builder.RegisterService(&coordinator);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(port, 0);
  grpc::ChannelArguments args;
  args.SetMaxSendMessageSize(64 << 20);
  auto stub = v1::WorkerService::NewStub(grpc::CreateCustomChannel(
      absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials(), args));
  absl::Mutex mu;
  std::map<uint64_t, v1::ReportStatus> answered;
  ResultReporter::Options options;
  options.max_batch = 64;
  ResultReporter reporter(
      *stub, options, [](v1::WorkerInfo*) {},
      [&](const v1::TaskOutcome& outcome, v1::ReportStatus status) {
        absl::MutexLock lock(&mu);
        answered[outcome.ref().index()] = status;
      });
  for (uint64_t i = 0; i < 20; ++i) reporter.Add(Outcome(i, i == 7 ? "\"poison\"" : "1"));
  reporter.Add(Outcome(99, "1"));
  reporter.Add(Outcome(50, "\"kept\""));
  // Three results of 7 MiB: at most two fit in one call's kBatchBytes.
  for (uint64_t i = 100; i < 103; ++i) reporter.Add(Outcome(i, std::string(7 << 20, 'x')));
  ASSERT_TRUE(reporter.Drain(absl::Seconds(20))) << "an outcome was retried forever";

  absl::MutexLock lock(&mu);
  absl::MutexLock seen(&coordinator.mu_);
  EXPECT_EQ(answered.size(), 25u);
  for (uint64_t i = 0; i < 20; ++i) {
    EXPECT_EQ(answered[i], v1::REPORT_ACCEPTED) << i;
    ASSERT_TRUE(coordinator.seen_.count(i) > 0) << i;
  }
  const v1::TaskOutcome& replaced = coordinator.seen_[7];
  ASSERT_TRUE(replaced.has_error()) << replaced.ShortDebugString();
  EXPECT_EQ(replaced.error().code(), v1::ERROR_FATAL);
  EXPECT_EQ(replaced.error().message(),
            "the coordinator refused this outcome: INVALID_ARGUMENT: cannot take");
  EXPECT_EQ(answered[99], v1::REPORT_STATUS_UNSPECIFIED) << "refused twice: dropped";
  // What may be a broken stream is sent again as it is: the result is not given up for it.
  EXPECT_EQ(answered[50], v1::REPORT_ACCEPTED);
  ASSERT_TRUE(coordinator.seen_.count(50) > 0);
  EXPECT_FALSE(coordinator.seen_[50].has_error()) << coordinator.seen_[50].ShortDebugString();
  EXPECT_EQ(coordinator.seen_[50].results().results(0), "\"kept\"");
  EXPECT_FALSE(coordinator.seen_.count(99) > 0);
  for (uint64_t i = 100; i < 103; ++i) EXPECT_TRUE(coordinator.seen_.count(i) > 0) << i;
  EXPECT_LE(coordinator.max_call_bytes_, kBatchBytes + 4096);
  server->Shutdown();
}

}  // namespace
}  // namespace fanout::worker
