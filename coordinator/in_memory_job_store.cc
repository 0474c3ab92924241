#include "coordinator/in_memory_job_store.h"

namespace fanout::coordinator {

InMemoryJobStore::InMemoryJobStore(Clock& clock, RetryPolicy policy)
    : TableBackedJobStore(clock, std::move(policy)) {}

uint64_t InMemoryJobStore::Persist(const ChangeSet& changes) {
  for (const TaskKey& key : changes.tasks) records_[key] = *table_.LiveTask(key);
  return 0;
}

absl::StatusOr<std::optional<v1::Task>> InMemoryJobStore::ReadTask(TaskKey key) {
  absl::MutexLock lock(&mu_);
  auto it = records_.find(key);
  if (it == records_.end()) return std::nullopt;
  return it->second;
}

absl::StatusOr<std::vector<v1::Task>> InMemoryJobStore::ReadTasks(uint64_t job_seq, uint64_t begin,
                                                                  uint64_t end) {
  absl::MutexLock lock(&mu_);
  std::vector<v1::Task> out;
  for (auto it = records_.lower_bound({job_seq, begin});
       it != records_.end() && it->first < TaskKey{job_seq, end}; ++it) {
    out.push_back(it->second);
  }
  return out;
}

}  // namespace fanout::coordinator
