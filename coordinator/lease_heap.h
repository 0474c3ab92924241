// Lease deadlines in expiry order. Renewals push a new entry instead of updating the old one; the
// caller recognizes superseded entries because their epoch or expiry no longer matches the task.
#ifndef FANOUT_COORDINATOR_LEASE_HEAP_H_
#define FANOUT_COORDINATOR_LEASE_HEAP_H_

#include <functional>
#include <optional>
#include <queue>
#include <vector>

#include "absl/time/time.h"
#include "coordinator/task_key.h"

namespace fanout::coordinator {

// Thread-compatible. Owned by TaskTable.
class LeaseHeap {
 public:
  struct Entry {
    absl::Time expiry;
    TaskKey key;
    uint64_t epoch = 0;
    bool operator>(const Entry& o) const { return expiry > o.expiry; }
  };

  void Add(TaskKey key, uint64_t epoch, absl::Time expiry) { heap_.push({expiry, key, epoch}); }

  // Removes and returns every entry whose expiry is at or before `now` (some may be superseded).
  std::vector<Entry> PopExpired(absl::Time now) {
    std::vector<Entry> out;
    while (!heap_.empty() && heap_.top().expiry <= now) {
      out.push_back(heap_.top());
      heap_.pop();
    }
    return out;
  }

  std::optional<absl::Time> NextExpiry() const {
    if (heap_.empty()) return std::nullopt;
    return heap_.top().expiry;
  }

 private:
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> heap_;
};

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_LEASE_HEAP_H_
