// A handler that ignores its time limit is abandoned after --abandon_grace: its task goes back as
// a continuation (no attempt used) and a fresh thread takes its slot, so the worker keeps running
// tasks. The coordinator here is a small gRPC service on loopback: one task whose handler never
// returns, then tasks that do.
#include <atomic>
#include <memory>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "common/clock.h"
#include "common/proto_time.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "proto/worker_service.grpc.pb.h"
#include "worker/handler_registry.h"
#include "worker/loopback_server.h"
#include "worker/worker.h"

namespace fanout::worker {
namespace {

class OneStuckTaskCoordinator final : public v1::WorkerService::Service {
 public:
  grpc::Status LeaseTasks(grpc::ServerContext*, const v1::LeaseTasksRequest*,
                          v1::LeaseTasksResponse* response) override {
    absl::MutexLock lock(&mu_);
    if (next_ > 3) return grpc::Status::OK;  // nothing more to run
    v1::JobContext* job = response->add_jobs();
    job->set_job_id("job-1");
    job->set_function(next_ == 0 ? "test:stuck" : "builtin:noop");
    ToProto(absl::Milliseconds(200), job->mutable_timeout());
    v1::LeasedTask* task = response->add_tasks();
    task->mutable_ref()->set_job_id("job-1");
    task->mutable_ref()->set_index(next_++);
    task->mutable_ref()->set_epoch(1);
    task->add_items("1");
    return grpc::Status::OK;
  }
  grpc::Status ReportResults(grpc::ServerContext*, const v1::ReportResultsRequest* request,
                             v1::ReportResultsResponse* response) override {
    absl::MutexLock lock(&mu_);
    for (const v1::TaskOutcome& o : request->outcomes()) {
      outcomes_[o.ref().index()] = o;
      response->add_statuses(v1::REPORT_ACCEPTED);
    }
    return grpc::Status::OK;
  }
  grpc::Status RenewLeases(grpc::ServerContext*, const v1::RenewLeasesRequest* request,
                           v1::RenewLeasesResponse* response) override {
    for (int i = 0; i < request->leases_size(); ++i) response->add_statuses(v1::LEASE_OK);
    return grpc::Status::OK;
  }
  bool Reported(size_t n) {
    absl::MutexLock lock(&mu_);
    return outcomes_.size() >= n;
  }

  absl::Mutex mu_;
  uint64_t next_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<uint64_t, v1::TaskOutcome> outcomes_ ABSL_GUARDED_BY(mu_);
};

// Blocks until released, whatever its context says.
class StuckHandler : public Handler {
 public:
  explicit StuckHandler(absl::Notification* release) : release_(release) {}
  absl::StatusOr<std::string> Invoke(const Event&, Context&) override {
    release_->WaitForNotification();
    return std::string("\"too late\"");
  }

 private:
  absl::Notification* release_;
};

TEST(AbandonTest, AHandlerPastItsLimitIsAbandonedAndItsSlotRunsOn) {
  OneStuckTaskCoordinator coordinator;
  LoopbackServer server = StartLoopbackServer(coordinator);
  ASSERT_NE(server.server, nullptr);
  // Released only after the worker is gone: an abandoned thread may outlive nothing it uses.
  static absl::Notification release;
  std::unique_ptr<HandlerRegistry> handlers = BuiltinHandlers();
  handlers->Register("test:stuck", std::make_unique<StuckHandler>(&release));
  Worker::Options options;
  options.coordinator = server.address();
  options.slots = 1;
  options.abandon_grace = absl::Milliseconds(300);
  auto* worker = new Worker(options, std::move(handlers), RealClock::Get());  // see main.cc
  worker->Start();
  const absl::Time start = absl::Now();
  while (!coordinator.Reported(4) && absl::Now() - start < absl::Seconds(10)) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  const absl::Duration took = absl::Now() - start;
  worker->Stop();
  server.server->Shutdown();
  absl::MutexLock lock(&coordinator.mu_);
  ASSERT_EQ(coordinator.outcomes_.size(), 4u) << "the slot stayed stuck";
  EXPECT_TRUE(coordinator.outcomes_[0].continued())
      << "abandoned at its limit: continues elsewhere, no attempt used; "
      << coordinator.outcomes_[0].ShortDebugString();
  for (uint64_t i = 1; i < 4; ++i) EXPECT_TRUE(coordinator.outcomes_[i].has_results()) << i;
  EXPECT_EQ(worker->abandoned(), 1);
  EXPECT_GE(took, absl::Milliseconds(500)) << "abandoned before limit + grace";
  EXPECT_LT(took, absl::Seconds(5));
  // `worker` is left to the process exit, as fanout-worker's main leaves one that abandoned.
}

}  // namespace
}  // namespace fanout::worker
