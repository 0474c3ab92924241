#include "worker/lease_book.h"

namespace fanout::worker {

LeaseHandle LeaseBook::Add(const v1::TaskRef& ref) {
  auto state = std::make_shared<LeaseState>();
  absl::MutexLock lock(&mu_);
  Entry& held = held_[KeyOf(ref)];
  // The same task leased again (the old lease expired, say during a partition): whatever still
  // runs under the old epoch must stop, its result would be refused.
  if (held.state != nullptr && held.ref.epoch() != ref.epoch()) held.state->cancelled = true;
  held.ref = ref;
  held.state = state;
  return state;
}

void LeaseBook::Remove(const v1::TaskRef& ref) {
  absl::MutexLock lock(&mu_);
  auto it = held_.find(KeyOf(ref));
  // A newer lease of the same task (after a loss) is not ours to remove.
  if (it != held_.end() && it->second.ref.epoch() == ref.epoch()) held_.erase(it);
}

bool LeaseBook::Cancel(const v1::TaskRef& ref) {
  absl::MutexLock lock(&mu_);
  auto it = held_.find(KeyOf(ref));
  if (it == held_.end() || it->second.ref.epoch() != ref.epoch()) return false;
  it->second.state->cancelled.store(true);
  return true;
}

void LeaseBook::Confirm(const std::vector<v1::TaskRef>& refs, int64_t sent_ns) {
  absl::MutexLock lock(&mu_);
  for (const v1::TaskRef& ref : refs) {
    auto it = held_.find(KeyOf(ref));
    if (it == held_.end() || it->second.ref.epoch() != ref.epoch()) continue;
    std::atomic<int64_t>& confirmed = it->second.state->confirmed_ns;
    if (confirmed.load() < sent_ns) confirmed.store(sent_ns);
  }
}

LeaseBook::Fenced LeaseBook::FenceUnconfirmed(int64_t before_ns) {
  absl::MutexLock lock(&mu_);
  Fenced fenced;
  for (auto& [key, held] : held_) {
    if (held.state->confirmed_ns.load() >= before_ns) continue;
    if (held.state->cancelled.exchange(true)) continue;
    ++fenced.leases;
    fenced.running += held.state->running.load();
  }
  return fenced;
}

std::vector<v1::TaskRef> LeaseBook::Refs() {
  absl::MutexLock lock(&mu_);
  std::vector<v1::TaskRef> out;
  out.reserve(held_.size());
  for (const auto& [key, held] : held_) out.push_back(held.ref);
  return out;
}

std::vector<LeaseBook::Held> LeaseBook::Snapshot(bool running_only) {
  absl::MutexLock lock(&mu_);
  std::vector<Held> out;
  out.reserve(running_only ? 0 : held_.size());
  for (const auto& [key, held] : held_) {
    const bool running = held.state->running.load();
    if (running_only && !running) continue;
    out.push_back({held.ref, held.state->started.load(), running});
  }
  return out;
}

size_t LeaseBook::size() {
  absl::MutexLock lock(&mu_);
  return held_.size();
}

}  // namespace fanout::worker
