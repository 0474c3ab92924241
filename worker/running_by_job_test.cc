// A worker tells the coordinator, with every call, how many handlers of each job it runs now: what
// `fanout status` shows as running, apart from the tasks leased and queued here to start next.
// Each renewal also says, per lease, whether its handler started (what metering bills). The
// coordinator here is a small gRPC service on loopback that grants four slow tasks once and
// records what each renewal says.
#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
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

class RecordingCoordinator final : public v1::WorkerService::Service {
 public:
  grpc::Status LeaseTasks(grpc::ServerContext*, const v1::LeaseTasksRequest* request,
                          v1::LeaseTasksResponse* response) override {
    absl::MutexLock lock(&mu_);
    if (granted_ || request->max_tasks() == 0) {
      mu_.AwaitWithTimeout(absl::Condition(&never_), absl::Milliseconds(100));
      return grpc::Status::OK;
    }
    granted_ = true;
    v1::JobContext* job = response->add_jobs();
    job->set_job_id("job-1");
    job->set_function("builtin:sleep");
    job->set_params_json("{}");
    job->mutable_timeout()->set_seconds(30);
    for (uint32_t i = 0; i < std::min<uint32_t>(4, request->max_tasks()); ++i) {
      v1::LeasedTask* task = response->add_tasks();
      task->mutable_ref()->set_job_id("job-1");
      task->mutable_ref()->set_index(i);
      task->mutable_ref()->set_epoch(1);
      task->add_items(R"({"ms": 2000})");
    }
    return grpc::Status::OK;
  }

  grpc::Status ReportResults(grpc::ServerContext*, const v1::ReportResultsRequest* request,
                             v1::ReportResultsResponse* response) override {
    for (int i = 0; i < request->outcomes_size(); ++i) response->add_statuses(v1::REPORT_ACCEPTED);
    return grpc::Status::OK;
  }

  grpc::Status RenewLeases(grpc::ServerContext*, const v1::RenewLeasesRequest* request,
                           v1::RenewLeasesResponse* response) override {
    for (int i = 0; i < request->leases_size(); ++i) response->add_statuses(v1::LEASE_OK);
    const auto& running = request->worker().running_by_job();
    const int started = std::count(request->started().begin(), request->started().end(), true);
    absl::MutexLock lock(&mu_);
    if (request->leases_size() == 4 && request->started_size() == 4)
      started_of_four_.push_back(started);
    renewals_.emplace_back(request->leases_size(),
                           running.contains("job-1") ? running.at("job-1") : 0);
    return grpc::Status::OK;
  }

  // How many of 4 leases each renewal of all 4 said had started.
  std::vector<int> started_of_four() {
    absl::MutexLock lock(&mu_);
    return started_of_four_;
  }
  // (leases held, handlers of job-1 running) as each renewal said.
  std::vector<std::pair<int, uint32_t>> renewals() {
    absl::MutexLock lock(&mu_);
    return renewals_;
  }

 private:
  absl::Mutex mu_;
  bool granted_ ABSL_GUARDED_BY(mu_) = false;
  bool never_ = false;
  std::vector<std::pair<int, uint32_t>> renewals_ ABSL_GUARDED_BY(mu_);
  std::vector<int> started_of_four_ ABSL_GUARDED_BY(mu_);
};

TEST(RunningByJobTest, RenewalsCountHandlersRunningNotTasksLeased) {
  RecordingCoordinator coordinator;
  LoopbackServer server = StartLoopbackServer(coordinator);
  ASSERT_NE(server.server, nullptr);
  RealClock clock;
  Worker::Options options;
  options.coordinator = server.address();
  options.slots = 2;  // 4 tasks of a function not run yet: 2 run, 2 wait in the queue
  Worker worker(options, BuiltinHandlers(), clock);
  worker.Start();
  // Two rounds of 2 s (a full renewal each second), then a renewal of an idle worker: all before
  // Stop(), whose goodbye would say 0 running anyway.
  auto idle_again = [&] {
    const std::vector<std::pair<int, uint32_t>> r = coordinator.renewals();
    return std::find_if(r.begin(), r.end(), [](const auto& x) { return x.first == 4; }) !=
               r.end() &&
           !r.empty() && r.back() == std::make_pair(0, 0u);
  };
  for (absl::Time end = absl::Now() + absl::Seconds(15); !idle_again() && absl::Now() < end;) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  const std::vector<std::pair<int, uint32_t>> renewals = coordinator.renewals();
  worker.Stop();
  server.server->Shutdown();

  ASSERT_FALSE(renewals.empty());
  bool queued_apart = false;
  std::string said;
  for (const auto& [leases, running] : renewals) {
    absl::StrAppend(&said, " (", leases, " leased, ", running, " running)");
    EXPECT_LE(running, 2u) << "more handlers than slots";
    queued_apart |= leases == 4 && running == 2;
  }
  EXPECT_TRUE(queued_apart) << "no renewal said: 4 leased, 2 of them running:" << said;
  EXPECT_EQ(renewals.back(), std::make_pair(0, 0u)) << "every handler ended:" << said;
  // Each lease says whether its handler started (the coordinator bills by it): 2 of the 4.
  const std::vector<int> started = coordinator.started_of_four();
  ASSERT_FALSE(started.empty()) << "no renewal of all 4 leases";
  EXPECT_NE(std::find(started.begin(), started.end(), 2), started.end());
}

}  // namespace
}  // namespace fanout::worker
