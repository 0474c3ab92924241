// The leases a worker holds, from the moment a task is leased until the coordinator acknowledged
// its outcome. The renewer keeps all of them alive (also while a report is being retried), and
// marks the ones the coordinator says are lost or cancelled so that their handlers stop.
#ifndef FANOUT_WORKER_LEASE_BOOK_H_
#define FANOUT_WORKER_LEASE_BOOK_H_

#include <time.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "proto/worker_service.pb.h"

namespace fanout::worker {

using CancelFlag = std::shared_ptr<std::atomic<bool>>;

// Monotonic, and counting while the host is suspended (a paused VM), as the coordinator's clock
// does: a lease must not outlive a suspension here.
inline int64_t SteadyNowNs() {
  timespec t{};
  clock_gettime(CLOCK_BOOTTIME, &t);
  return int64_t{t.tv_sec} * 1'000'000'000 + t.tv_nsec;
}

// What the worker's threads share about one lease, without going through the book's lock.
struct LeaseState {
  std::atomic<bool> cancelled{false};  // lost or its job cancelled: stop
  std::atomic<bool> running{false};    // a handler runs it now: renew it often
  std::atomic<bool> started{false};    // a handler took it (it may have ended since)
  // When the coordinator last vouched for the lease, on this host's steady clock (ns): the
  // grant's arrival, then the sending of each renewal answered LEASE_OK. The coordinator keeps
  // the lease at least until then + TTL, and may hand the task to another worker after.
  std::atomic<int64_t> confirmed_ns{SteadyNowNs()};
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
  // The renewal sent at `sent_ns` came back LEASE_OK for these leases.
  void Confirm(const std::vector<v1::TaskRef>& refs, int64_t sent_ns);
  // Self-fencing: cancels every lease the coordinator has not vouched for since `before_ns`, as
  // it may already be another worker's. How many were newly cancelled, and of those how many had
  // a handler running.
  struct Fenced {
    size_t leases = 0, running = 0;
  };
  Fenced FenceUnconfirmed(int64_t before_ns);
  std::vector<v1::TaskRef> Refs();
  // Each lease (or only those a handler runs now) with what its handler is doing: what a renewal
  // tells the coordinator.
  struct Held {
    v1::TaskRef ref;
    bool started = false;  // a handler took it (it may have ended since)
    bool running = false;  // a handler runs it now
  };
  std::vector<Held> Snapshot(bool running_only);
  size_t size();

 private:
  using Key = std::pair<std::string, uint64_t>;
  struct Entry {
    v1::TaskRef ref;
    LeaseHandle state;
  };
  static Key KeyOf(const v1::TaskRef& ref) { return {ref.job_id(), ref.index()}; }

  absl::Mutex mu_;
  absl::flat_hash_map<Key, Entry> held_ ABSL_GUARDED_BY(mu_);
};

}  // namespace fanout::worker

#endif  // FANOUT_WORKER_LEASE_BOOK_H_
