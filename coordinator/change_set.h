// What one store verb changed, so that the store can persist exactly that before replying.
#ifndef FANOUT_COORDINATOR_CHANGE_SET_H_
#define FANOUT_COORDINATOR_CHANGE_SET_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "coordinator/task_key.h"

namespace fanout::coordinator {

struct ChangeSet {
  absl::flat_hash_set<uint64_t> jobs;  // job records to write
  std::vector<uint64_t> new_jobs;      // jobs created: their specs are written too
  absl::flat_hash_set<TaskKey> tasks;  // task records to write
  std::vector<std::pair<std::string, uint64_t>> idempotency_keys;  // new key -> job seq
  bool next_job_seq_changed = false;

  // Empties the set, keeping its capacity.
  void Clear() {
    jobs.clear();
    new_jobs.clear();
    tasks.clear();
    idempotency_keys.clear();
    next_job_seq_changed = false;
  }

  bool empty() const {
    return jobs.empty() && new_jobs.empty() && tasks.empty() && idempotency_keys.empty() &&
           !next_job_seq_changed;
  }
};

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_CHANGE_SET_H_
