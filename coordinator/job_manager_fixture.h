// What JobManager's tests share: specs, lease calls, and a manager on an in-memory store and a
// fake clock.
#ifndef FANOUT_COORDINATOR_JOB_MANAGER_FIXTURE_H_
#define FANOUT_COORDINATOR_JOB_MANAGER_FIXTURE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/notification.h"
#include "common/proto_time.h"
#include "coordinator/in_memory_job_store.h"
#include "coordinator/job_manager.h"
#include "gtest/gtest.h"

namespace fanout::coordinator {

inline v1::JobSpec Spec(const std::string& source = "range:1-4") {
  v1::JobSpec spec;
  spec.set_function("builtin:noop");
  spec.set_source(source);
  return spec;
}

inline v1::LeaseTasksRequest LeaseRequest(absl::Duration wait, std::string request_id = "") {
  v1::LeaseTasksRequest r;
  r.mutable_worker()->set_worker_id("w1");
  r.set_max_tasks(10);
  ToProto(wait, r.mutable_wait());
  r.set_request_id(std::move(request_id));
  return r;
}

// A lease call that does not wait, on a manager of the test's own.
inline absl::StatusOr<v1::LeaseTasksResponse> LeaseNow(JobManager& manager) {
  absl::StatusOr<v1::LeaseTasksResponse> lease;
  absl::Notification done;
  manager.LeaseTasks(LeaseRequest(absl::ZeroDuration()),
                     [&](absl::StatusOr<v1::LeaseTasksResponse> r) {
                       lease = std::move(r);
                       done.Notify();
                     });
  done.WaitForNotification();
  return lease;
}

class JobManagerTest : public ::testing::Test {
 protected:
  JobManagerTest()
      : store_(clock_, RetryPolicy([] { return 0.5; })), manager_(store_, clock_, {}) {}

  // Runs LeaseTasks and returns a slot that the callback fills.
  struct Pending {
    absl::Notification done;
    absl::StatusOr<v1::LeaseTasksResponse> response;
  };
  std::shared_ptr<Pending> Lease(const v1::LeaseTasksRequest& request) {
    auto pending = std::make_shared<Pending>();
    manager_.LeaseTasks(request, [pending](absl::StatusOr<v1::LeaseTasksResponse> r) {
      pending->response = std::move(r);
      pending->done.Notify();
    });
    return pending;
  }

  FakeClock clock_;
  InMemoryJobStore store_;
  JobManager manager_;
};

inline std::vector<v1::WorkerStatus> Workers(JobManager& manager) {
  const v1::ListWorkersResponse response = manager.ListWorkers();
  return {response.workers().begin(), response.workers().end()};
}

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_JOB_MANAGER_FIXTURE_H_
