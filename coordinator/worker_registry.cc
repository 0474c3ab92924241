#include "coordinator/worker_registry.h"

#include <algorithm>

#include "common/proto_time.h"

namespace fanout::coordinator {
namespace {

// Neither said goodbye nor silent past `gone_after`.
bool Live(const v1::WorkerStatus& w, absl::Time now, absl::Duration gone_after) {
  return !w.gone() && now - FromProto(w.last_seen()) <= gone_after;
}

}  // namespace

void WorkerRegistry::Touch(const v1::WorkerInfo& info, absl::Time now,
                           std::optional<uint32_t> leases, bool renewal) {
  if (info.worker_id().empty()) return;
  absl::MutexLock lock(&mu_);
  auto [it, fresh] = workers_.try_emplace(info.worker_id());
  v1::WorkerStatus& w = it->second;
  w.set_worker_id(info.worker_id());
  w.set_host(info.host());
  w.set_slots(info.slots());
  if (renewal || fresh) {
    w.set_busy(info.busy());
    *w.mutable_running_by_job() = info.running_by_job();
  }
  *w.mutable_started_at() = info.started_at();
  if (leases) w.set_leases(*leases);
  const std::string incarnation = info.started_at().SerializeAsString();
  if (info.leaving()) {
    left_[info.worker_id()] = incarnation;
  } else if (auto it = left_.find(info.worker_id());
             it != left_.end() && it->second != incarnation) {
    left_.erase(it);  // started again under the same id
  }
  w.set_gone(left_.contains(info.worker_id()));
  ToProto(now, w.mutable_last_seen());
}

bool WorkerRegistry::Leaving(const v1::WorkerInfo& info) {
  absl::MutexLock lock(&mu_);
  auto it = left_.find(info.worker_id());
  return it != left_.end() && it->second == info.started_at().SerializeAsString();
}

std::vector<v1::WorkerStatus> WorkerRegistry::List(absl::Time now, absl::Duration gone_after) {
  absl::MutexLock lock(&mu_);
  std::vector<v1::WorkerStatus> out;
  for (auto it = workers_.begin(); it != workers_.end();) {
    if (now - FromProto(it->second.last_seen()) > forget_after_) {
      left_.erase(it->first);
      workers_.erase(it++);
      continue;
    }
    out.push_back(it->second);
    if (!Live(it->second, now, gone_after)) out.back().set_gone(true);
    ++it;
  }
  std::sort(out.begin(), out.end(), [](const v1::WorkerStatus& a, const v1::WorkerStatus& b) {
    return FromProto(a.last_seen()) > FromProto(b.last_seen());
  });
  return out;
}

absl::flat_hash_map<std::string, uint64_t> WorkerRegistry::RunningByJob(absl::Time now,
                                                                        absl::Duration gone_after) {
  absl::MutexLock lock(&mu_);
  absl::flat_hash_map<std::string, uint64_t> out;
  for (const auto& [id, w] : workers_) {
    if (!Live(w, now, gone_after)) continue;
    for (const auto& [job_id, running] : w.running_by_job()) out[job_id] += running;
  }
  return out;
}

uint64_t WorkerRegistry::RunningOf(const std::string& job_id, absl::Time now,
                                   absl::Duration gone_after) {
  absl::MutexLock lock(&mu_);
  uint64_t out = 0;
  for (const auto& [id, w] : workers_) {
    if (!Live(w, now, gone_after)) continue;
    auto it = w.running_by_job().find(job_id);
    if (it != w.running_by_job().end()) out += it->second;
  }
  return out;
}

}  // namespace fanout::coordinator
