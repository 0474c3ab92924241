// A worker that has just run instant tasks leases deep (its pace says a thousand tasks are 50 ms of
// work); when the grant brings a new job's slow tasks instead, it must give back at once what its
// slots cannot start soon, so that other workers run them. The coordinator here is a small gRPC
// service on loopback: the first grant is one noop task, every later one (once the noop is
// reported) as many one-second sleeps as asked for.
#include <algorithm>
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

// Renews every lease, for 30 s.
class RenewingCoordinator : public v1::WorkerService::Service {
 public:
  grpc::Status RenewLeases(grpc::ServerContext*, const v1::RenewLeasesRequest* request,
                           v1::RenewLeasesResponse* response) override {
    for (int i = 0; i < request->leases_size(); ++i) response->add_statuses(v1::LEASE_OK);
    response->mutable_lease_ttl()->set_seconds(30);
    return grpc::Status::OK;
  }
};

class MixedJobsCoordinator final : public RenewingCoordinator {
 public:
  grpc::Status LeaseTasks(grpc::ServerContext*, const v1::LeaseTasksRequest* request,
                          v1::LeaseTasksResponse* response) override {
    absl::MutexLock lock(&mu_);
    const bool first = next_index_ == 0;
    // Later grants answer asks made once the noop's outcome is in (the worker knows its pace);
    // an earlier ask waits for it and gets nothing, so the worker asks again.
    auto noop_reported = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return reported_ > 0; };
    if (!first && !noop_reported()) {
      mu_.AwaitWithTimeout(absl::Condition(&noop_reported), absl::Seconds(5));
      return grpc::Status::OK;
    }
    v1::JobContext* job = response->add_jobs();
    job->set_job_id(first ? "fast" : "slow");
    job->set_function(first ? "builtin:noop" : "builtin:sleep");
    job->set_params_json(first ? "{}" : R"({"ms": 1000})");
    job->mutable_timeout()->set_seconds(60);
    const uint32_t n = first ? 1 : request->max_tasks();
    if (!first) largest_ask_ = std::max(largest_ask_, n);
    for (uint32_t i = 0; i < n; ++i) {
      v1::LeasedTask* task = response->add_tasks();
      task->mutable_ref()->set_job_id(job->job_id());
      task->mutable_ref()->set_index(next_index_++);
      task->mutable_ref()->set_epoch(1);
      task->add_items("1");
    }
    if (!first) slow_granted_ += n;
    return grpc::Status::OK;
  }
  grpc::Status ReportResults(grpc::ServerContext*, const v1::ReportResultsRequest* request,
                             v1::ReportResultsResponse* response) override {
    absl::MutexLock lock(&mu_);
    for (const v1::TaskOutcome& o : request->outcomes()) {
      response->add_statuses(v1::REPORT_ACCEPTED);
      released_ += o.released();
      ++reported_;
    }
    return grpc::Status::OK;
  }
  uint32_t largest_ask() {
    absl::MutexLock lock(&mu_);
    return largest_ask_;
  }
  size_t held_slow() {  // granted and not given back
    absl::MutexLock lock(&mu_);
    return slow_granted_ - released_;
  }

 private:
  absl::Mutex mu_;
  uint64_t next_index_ ABSL_GUARDED_BY(mu_) = 0;
  uint32_t largest_ask_ ABSL_GUARDED_BY(mu_) = 0;
  size_t slow_granted_ ABSL_GUARDED_BY(mu_) = 0;
  size_t released_ ABSL_GUARDED_BY(mu_) = 0;
  size_t reported_ ABSL_GUARDED_BY(mu_) = 0;
};

TEST(LeaseSpreadTest, SlowTasksGrantedByTheFastPaceGoBackAtOnce) {
  MixedJobsCoordinator coordinator;
  LoopbackServer server = StartLoopbackServer(coordinator);
  ASSERT_NE(server.server, nullptr);

  RealClock clock;
  Worker::Options options;
  options.coordinator = server.address();
  options.slots = 4;
  options.max_prefetch = 200;
  Worker worker(options, BuiltinHandlers(), clock);
  worker.Start();
  absl::SleepFor(absl::Milliseconds(700));  // well before the first sleep ends
  const size_t held = coordinator.held_slow();
  const uint32_t asked = coordinator.largest_ask();
  worker.Stop();
  server.server->Shutdown();

  EXPECT_GT(asked, 2u * options.slots) << "the noop's pace should have made it ask deep";
  // Four running, and as many queued as a function not run yet may have.
  EXPECT_LE(held, 2u * options.slots) << "asked " << asked << ", kept " << held;
}

// Grants as many 100 ms sleeps as asked for; counts what comes back done and what comes back
// unstarted (a stopping worker releases its queue).
class SleepsCoordinator final : public RenewingCoordinator {
 public:
  grpc::Status LeaseTasks(grpc::ServerContext*, const v1::LeaseTasksRequest* request,
                          v1::LeaseTasksResponse* response) override {
    absl::MutexLock lock(&mu_);
    v1::JobContext* job = response->add_jobs();
    job->set_job_id("sleeps");
    job->set_function("builtin:sleep");
    job->set_params_json(R"({"ms": 100})");
    job->mutable_timeout()->set_seconds(60);
    for (uint32_t i = 0; i < request->max_tasks(); ++i) {
      v1::LeasedTask* task = response->add_tasks();
      task->mutable_ref()->set_job_id("sleeps");
      task->mutable_ref()->set_index(granted_++);
      task->mutable_ref()->set_epoch(1);
      task->add_items("1");
    }
    return grpc::Status::OK;
  }
  grpc::Status ReportResults(grpc::ServerContext*, const v1::ReportResultsRequest* request,
                             v1::ReportResultsResponse* response) override {
    absl::MutexLock lock(&mu_);
    for (const v1::TaskOutcome& o : request->outcomes()) {
      response->add_statuses(v1::REPORT_ACCEPTED);
      (o.released() ? released_ : done_) += 1;
    }
    return grpc::Status::OK;
  }
  size_t done() {
    absl::MutexLock lock(&mu_);
    return done_;
  }
  size_t released() {
    absl::MutexLock lock(&mu_);
    return released_;
  }

 private:
  absl::Mutex mu_;
  size_t granted_ ABSL_GUARDED_BY(mu_) = 0;
  size_t done_ ABSL_GUARDED_BY(mu_) = 0;
  size_t released_ ABSL_GUARDED_BY(mu_) = 0;
};

// Tasks far longer than a lease round trip are not leased ahead: a queued one could have run on
// another worker's idle slot, and with equal tasks it costs the job a whole extra round at its
// end. The slots still never wait long: a freed slot's task is one round trip away.
TEST(LeaseSpreadTest, TasksMuchLongerThanALeaseRoundTripAreNotLeasedAhead) {
  SleepsCoordinator coordinator;
  LoopbackServer server = StartLoopbackServer(coordinator);
  ASSERT_NE(server.server, nullptr);
  RealClock clock;
  Worker::Options options;
  options.coordinator = server.address();
  options.slots = 8;
  options.drain_timeout = absl::Seconds(5);
  Worker worker(options, BuiltinHandlers(), clock);
  worker.Start();
  absl::SleepFor(absl::Milliseconds(650));  // the sleeps' pace is known after the first 100 ms
  worker.Stop();  // releases what it had queued, lets the running ones finish
  server.server->Shutdown();
  EXPECT_EQ(coordinator.released(), 0u) << "tasks were waiting in its queue";
  // 650 ms of 8 slots of 100 ms sleeps, and the last ones finished: 56 if no slot ever waited.
  EXPECT_GE(coordinator.done(), 48u) << "slots waited for their tasks";
}

}  // namespace
}  // namespace fanout::worker
