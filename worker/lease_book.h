// The leases a worker holds, from the moment a task is leased until the coordinator acknowledged
// its outcome. The renewer keeps all of them alive (also while a report is being retried), and
// marks the ones the coordinator says are lost or cancelled so that their handlers stop.
#ifndef FANOUT_WORKER_LEASE_BOOK_H_
#define FANOUT_WORKER_LEASE_BOOK_H_

#include <atomic>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "proto/worker_service.pb.h"

namespace fanout::worker {

using CancelFlag = std::shared_ptr<std::atomic<bool>>;

// What the worker's threads share about one lease, without going through the book's lock.
struct LeaseState {
  std::atomic<bool> cancelled{false};  // lost or its job cancelled: stop
  std::atomic<bool> running{false};    // a handler runs it now: renew it often
  CancelFlag cancel_flag(const std::shared_ptr<LeaseState>& self) {
    return CancelFlag(self, &self->cancelled);
  }
};
using LeaseHandle = std::shared_ptr<LeaseState>;

// Thread-safe. Owned by Worker.
class LeaseBook {
 public:
  // Returns the lease's shared state: its cancel flag flips when the lease is lost or its job
  // cancelled; its running flag, set by the worker, makes the renewer renew it often.
  LeaseHandle Add(const v1::TaskRef& ref);
  void Remove(const v1::TaskRef& ref);
  // Flips the lease's cancel flag; false if the lease is not held.
  bool Cancel(const v1::TaskRef& ref);
  std::vector<v1::TaskRef> Refs();
  std::vector<v1::TaskRef> RunningRefs();
  size_t size();

 private:
  using Key = std::pair<std::string, uint64_t>;
  struct Held {
    v1::TaskRef ref;
    LeaseHandle state;
  };
  static Key KeyOf(const v1::TaskRef& ref) { return {ref.job_id(), ref.index()}; }

  absl::Mutex mu_;
  absl::flat_hash_map<Key, Held> held_ ABSL_GUARDED_BY(mu_);
};

}  // namespace fanout::worker

#endif  // FANOUT_WORKER_LEASE_BOOK_H_
