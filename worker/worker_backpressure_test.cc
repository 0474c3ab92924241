// A worker whose coordinator acknowledges outcomes more slowly than its slots finish tasks must
// stop leasing: otherwise the leases it holds (and the outcomes it queues) grow without bound on
// both sides. The coordinator here is a small gRPC service on loopback that grants every lease
// asked for and answers each report only after a pause.
#include <algorithm>
#include <atomic>
#include <memory>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/clock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "proto/worker_service.grpc.pb.h"
#include "worker/handler_registry.h"
#include "worker/loopback_server.h"
#include "worker/worker.h"

namespace fanout::worker {
namespace {

class SlowReportingCoordinator final : public v1::WorkerService::Service {
 public:
  grpc::Status LeaseTasks(grpc::ServerContext*, const v1::LeaseTasksRequest* request,
                          v1::LeaseTasksResponse* response) override {
    v1::JobContext* job = response->add_jobs();
    job->set_job_id("job-1");
    job->set_function("builtin:noop");
    job->set_params_json("{}");
    absl::MutexLock lock(&mu_);
    for (uint32_t i = 0; i < request->max_tasks(); ++i) {
      v1::LeasedTask* task = response->add_tasks();
      task->mutable_ref()->set_job_id("job-1");
      task->mutable_ref()->set_index(next_index_++);
      task->mutable_ref()->set_epoch(1);
      task->add_items("1");
    }
    outstanding_ += request->max_tasks();
    max_outstanding_ = std::max(max_outstanding_, outstanding_);
    return grpc::Status::OK;
  }

  grpc::Status ReportResults(grpc::ServerContext*, const v1::ReportResultsRequest* request,
                             v1::ReportResultsResponse* response) override {
    absl::SleepFor(absl::Milliseconds(50));  // a coordinator slower than the slots
    for (int i = 0; i < request->outcomes_size(); ++i) response->add_statuses(v1::REPORT_ACCEPTED);
    absl::MutexLock lock(&mu_);
    outstanding_ -= request->outcomes_size();
    answered_ += request->outcomes_size();
    return grpc::Status::OK;
  }

  grpc::Status RenewLeases(grpc::ServerContext*, const v1::RenewLeasesRequest* request,
                           v1::RenewLeasesResponse* response) override {
    for (int i = 0; i < request->leases_size(); ++i) response->add_statuses(v1::LEASE_OK);
    return grpc::Status::OK;
  }

  size_t max_outstanding() {
    absl::MutexLock lock(&mu_);
    return max_outstanding_;
  }
  size_t answered() {
    absl::MutexLock lock(&mu_);
    return answered_;
  }

 private:
  absl::Mutex mu_;
  uint64_t next_index_ ABSL_GUARDED_BY(mu_) = 0;
  size_t outstanding_ ABSL_GUARDED_BY(mu_) = 0;  // leased and not yet reported
  size_t max_outstanding_ ABSL_GUARDED_BY(mu_) = 0;
  size_t answered_ ABSL_GUARDED_BY(mu_) = 0;
};

TEST(WorkerBackpressureTest, LeasingPausesWhileOutcomesWaitForTheCoordinator) {
  SlowReportingCoordinator coordinator;
  LoopbackServer server = StartLoopbackServer(coordinator);
  ASSERT_NE(server.server, nullptr);

  RealClock clock;
  Worker::Options options;
  options.coordinator = server.address();
  options.slots = 4;
  options.max_prefetch = 100;
  options.max_unreported = 300;
  options.reporter.max_batch = 50;  // 50 outcomes per 50 ms: ~1,000 a second at most
  Worker worker(options, BuiltinHandlers(), clock);
  worker.Start();
  absl::SleepFor(absl::Seconds(3));
  worker.Stop();
  server.server->Shutdown();

  // Without the pause, noop tasks finish at tens of thousands a second and the leases held grow
  // by that much every second.
  EXPECT_GT(coordinator.answered(), 500u);
  EXPECT_LE(coordinator.max_outstanding(),
            options.slots + options.max_prefetch + options.max_unreported + options.max_prefetch);
}

}  // namespace
}  // namespace fanout::worker
