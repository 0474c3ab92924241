#include "coordinator/in_memory_job_store.h"

#include "common/proto_time.h"

namespace fanout::coordinator {

InMemoryJobStore::InMemoryJobStore(Clock& clock, RetryPolicy policy)
    : TableBackedJobStore(clock, std::move(policy)) {}

uint64_t InMemoryJobStore::Persist(const ChangeSet& changes) {
  absl::MutexLock lock(&disk_mu_);
  for (const TaskKey& key : changes.tasks) tasks_[key] = *table_.LiveTask(key);
  for (uint64_t seq : changes.jobs) jobs_[seq] = *table_.JobBySeq(seq);
  for (const auto& [key, seq] : changes.idempotency_keys) keys_[key] = seq;
  return 0;
}

absl::StatusOr<std::optional<v1::Task>> InMemoryJobStore::ReadTask(TaskKey key) {
  absl::MutexLock lock(&disk_mu_);
  auto it = tasks_.find(key);
  if (it == tasks_.end()) return std::nullopt;
  return it->second;
}

absl::StatusOr<std::vector<v1::Task>> InMemoryJobStore::ReadTasks(uint64_t job_seq, uint64_t begin,
                                                                  uint64_t end) {
  absl::MutexLock lock(&disk_mu_);
  std::vector<v1::Task> out;
  for (auto it = tasks_.lower_bound({job_seq, begin});
       it != tasks_.end() && it->first < TaskKey{job_seq, end}; ++it) {
    out.push_back(it->second);
  }
  return out;
}

absl::StatusOr<std::optional<v1::Job>> InMemoryJobStore::ReadJob(uint64_t seq) {
  absl::MutexLock lock(&disk_mu_);
  auto it = jobs_.find(seq);
  if (it == jobs_.end()) return std::nullopt;
  return it->second;
}

absl::StatusOr<std::vector<v1::Job>> InMemoryJobStore::ReadJobs(uint64_t before_seq, size_t limit) {
  absl::MutexLock lock(&disk_mu_);
  std::vector<v1::Job> out;
  auto it = before_seq == 0 ? jobs_.end() : jobs_.lower_bound(before_seq);
  while (it != jobs_.begin() && out.size() < limit) out.push_back((--it)->second);
  return out;
}

absl::StatusOr<std::optional<uint64_t>> InMemoryJobStore::ReadKey(absl::string_view key) {
  absl::MutexLock lock(&disk_mu_);
  auto it = keys_.find(key);
  if (it == keys_.end()) return std::nullopt;
  return it->second;
}

// A walk over every record: fine for tests (RocksDbJobStore keeps an index by end time).
absl::StatusOr<RetentionDone> InMemoryJobStore::Expire(absl::Time keys_before,
                                                       absl::Time jobs_before) {
  absl::MutexLock table(&mu_);
  absl::MutexLock lock(&disk_mu_);
  RetentionDone done;
  for (auto it = jobs_.begin(); it != jobs_.end();) {
    const uint64_t seq = it->first;
    const v1::Job& job = it->second;
    const absl::Time ended = FromProto(job.finished_at());
    if (job.state() == v1::JOB_RUNNING || table_.JobBySeq(seq) != nullptr || ended >= keys_before) {
      ++it;
      continue;
    }
    bool forgot = false;
    for (auto k = keys_.begin(); k != keys_.end();) {
      k = k->second == seq ? (forgot = true, keys_.erase(k)) : std::next(k);
    }
    done.keys_forgotten += forgot;
    if (ended >= jobs_before) {
      ++it;
      continue;
    }
    tasks_.erase(tasks_.lower_bound({seq, 0}), tasks_.lower_bound({seq + 1, 0}));
    it = jobs_.erase(it);
    ++done.jobs_deleted;
  }
  return done;
}

}  // namespace fanout::coordinator
