// Keeps a worker's leases alive from its own thread — never from user code, so a handler stuck in a
// long computation cannot lose its lease. Every third of the lease TTL (at most every 500 ms) it
// renews everything in the LeaseBook in one call; leases the coordinator calls lost or cancelled
// get their cancel flag set, which is how a cancel reaches running handlers. A lease no renewal has
// confirmed within the TTL is cancelled too (self-fencing): cut off from the coordinator, a worker
// stops its handlers by the time the task may run elsewhere.
#ifndef FANOUT_WORKER_LEASE_RENEWER_H_
#define FANOUT_WORKER_LEASE_RENEWER_H_

#include <atomic>
#include <functional>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "proto/worker_service.grpc.pb.h"
#include "worker/lease_book.h"

namespace fanout::worker {

// Thread-safe. Owned by Worker.
class LeaseRenewer {
 public:
  using DescribeWorker = std::function<void(v1::WorkerInfo*)>;

  LeaseRenewer(v1::WorkerService::StubInterface& stub, LeaseBook& book, DescribeWorker describe);
  ~LeaseRenewer();

  // The coordinator's lease TTL, as its responses tell; renewals run at a third of it.
  void set_lease_ttl(absl::Duration ttl);
  // Renews now (all leases, or only those of running tasks); returns how many came back lost or
  // cancelled. Exposed for tests.
  size_t RenewOnce(bool all = true);
  // Cancels the leases no renewal has confirmed within the TTL (see LeaseBook::FenceUnconfirmed);
  // returns how many. Runs every 50 ms on its own thread; exposed for tests.
  size_t FenceOnce();
  // Leases stopped by self-fencing since the start.
  uint64_t fenced() const { return fenced_.load(); }

 private:
  void Run();
  void Fence();
  absl::Duration ttl();

  v1::WorkerService::StubInterface& stub_;
  LeaseBook& book_;
  const DescribeWorker describe_;
  absl::Mutex mu_;
  absl::Duration ttl_ ABSL_GUARDED_BY(mu_) = absl::Seconds(10);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::atomic<uint64_t> fenced_{0};
  std::thread thread_;
  std::thread fencer_;
};

}  // namespace fanout::worker

#endif  // FANOUT_WORKER_LEASE_RENEWER_H_
