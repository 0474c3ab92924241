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

// Thread-safe. Owned by Worker.
class LeaseBook {
 public:
  // Returns the flag that flips when the lease is lost or its job cancelled.
  CancelFlag Add(const v1::TaskRef& ref);
  void Remove(const v1::TaskRef& ref);
  // Flips the lease's cancel flag; false if the lease is not held.
  bool Cancel(const v1::TaskRef& ref);
  // Whether a handler is running the task now (its lease is renewed more often, so that a cancel
  // reaches it quickly).
  void SetRunning(const v1::TaskRef& ref, bool running);
  std::vector<v1::TaskRef> Refs();
  std::vector<v1::TaskRef> RunningRefs();
  size_t size();

 private:
  using Key = std::pair<std::string, uint64_t>;
  struct Held {
    v1::TaskRef ref;
    CancelFlag cancelled;
    bool running = false;
  };
  static Key KeyOf(const v1::TaskRef& ref) { return {ref.job_id(), ref.index()}; }

  absl::Mutex mu_;
  absl::flat_hash_map<Key, Held> held_ ABSL_GUARDED_BY(mu_);
};

}  // namespace fanout::worker

#endif  // FANOUT_WORKER_LEASE_BOOK_H_
