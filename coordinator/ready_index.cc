#include "coordinator/ready_index.h"

#include <algorithm>

namespace fanout::coordinator {

void ReadyIndex::AddJob(uint64_t job_seq, int priority) {
  JobQueue& q = jobs_[job_seq];
  q.priority = priority;
}

void ReadyIndex::RemoveJob(uint64_t job_seq) {
  auto it = jobs_.find(job_seq);
  if (it == jobs_.end()) return;
  if (!it->second.ready.empty()) order_.erase(KeyOf(job_seq, it->second));
  ready_count_ -= it->second.ready.size();
  jobs_.erase(it);
}

void ReadyIndex::PushReady(TaskKey key) {
  auto it = jobs_.find(key.job_seq);
  if (it == jobs_.end()) return;  // job ended meanwhile
  JobQueue& q = it->second;
  if (q.ready.empty()) order_.insert(KeyOf(key.job_seq, q));
  q.ready.push_back(key.index);
  ++ready_count_;
}

void ReadyIndex::PushDelayed(TaskKey key, absl::Time due) { delayed_.push({due, key}); }

void ReadyIndex::PromoteDue(absl::Time now) {
  while (!delayed_.empty() && delayed_.top().due <= now) {
    PushReady(delayed_.top().key);
    delayed_.pop();
  }
}

std::vector<TaskKey> ReadyIndex::Take(size_t max, absl::FunctionRef<size_t(uint64_t)> allowance) {
  std::vector<TaskKey> out;
  // Walk a snapshot of the order: serving a job re-inserts it at the back of its priority class.
  std::vector<OrderKey> snapshot(order_.begin(), order_.end());
  for (const OrderKey& ok : snapshot) {
    if (out.size() >= max) break;
    const uint64_t seq = std::get<2>(ok);
    JobQueue& q = jobs_[seq];
    const size_t n = std::min({max - out.size(), q.ready.size(), allowance(seq)});
    if (n == 0) continue;
    order_.erase(ok);
    for (size_t i = 0; i < n; ++i) {
      out.push_back({seq, q.ready.front()});
      q.ready.pop_front();
    }
    ready_count_ -= n;
    q.served = ++serve_clock_;
    if (!q.ready.empty()) order_.insert(KeyOf(seq, q));
  }
  return out;
}

std::optional<absl::Time> ReadyIndex::NextDue() const {
  if (delayed_.empty()) return std::nullopt;
  return delayed_.top().due;
}

}  // namespace fanout::coordinator
