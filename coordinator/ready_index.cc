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

std::vector<TaskKey> ReadyIndex::Take(size_t max, absl::FunctionRef<size_t(uint64_t)> allowance,
                                      absl::FunctionRef<bool(TaskKey)> fits) {
  std::vector<TaskKey> out;
  // Jobs served go behind their priority class once the walk is over (re-inserted during it, a
  // job would come round again in the same walk).
  std::vector<uint64_t> served;
  bool full = false;
  for (auto it = order_.begin(); it != order_.end() && out.size() < max && !full;) {
    const uint64_t seq = std::get<2>(*it);
    JobQueue& q = jobs_[seq];
    const size_t n = std::min({max - out.size(), q.ready.size(), allowance(seq)});
    size_t taken = 0;
    for (; taken < n; ++taken) {
      const TaskKey key{seq, q.ready.front()};
      if (!fits(key)) {
        full = true;
        break;
      }
      out.push_back(key);
      q.ready.pop_front();
    }
    if (taken == 0) {
      ++it;
      continue;
    }
    it = order_.erase(it);
    ready_count_ -= taken;
    served.push_back(seq);
  }
  for (uint64_t seq : served) {
    JobQueue& q = jobs_[seq];
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
