// TaskTable: ended jobs leave memory once their end is on disk and their fan-in written, so that
// memory and every walk over jobs stay O(running and recently ended jobs) however many jobs a
// trigger has made. What is left of them is a small snapshot, for the gauges and for late workers.
#include "common/proto_time.h"
#include "coordinator/task_table.h"

namespace fanout::coordinator {

bool TaskTable::Evictable(uint64_t seq) const {
  auto it = jobs_.find(seq);
  return it != jobs_.end() && it->second.job.state() != v1::JOB_RUNNING &&
         !fan_in_pending_.contains(seq) && it->second.live.empty();
}

void TaskTable::Evict(uint64_t seq) {
  auto it = jobs_.find(seq);
  if (it == jobs_.end()) return;
  const v1::Job& job = it->second.job;
  auto forget = [&](const std::string& key) {
    auto k = idempotency_.find(key);
    if (k != idempotency_.end() && k->second == seq) idempotency_.erase(k);
  };
  if (!job.spec().idempotency_key().empty()) forget(job.spec().idempotency_key());
  for (const std::string& key : job.spec().item_keys()) forget(key);
  Ended& ended = recently_ended_.emplace_back();
  ended.seq = seq;
  ended.at = FromProto(job.finished_at());
  ended.gauge.job_id = job.job_id();
  ended.gauge.function = job.spec().function();
  ended.gauge.state = job.state();
  ended.gauge.counts = job.counts();
  recently_ended_state_[seq] = job.state();
  while (recently_ended_.size() > kRecentlyEnded ||
         (!recently_ended_.empty() && recently_ended_.front().at < ended.at - kGaugedEndedJobs)) {
    recently_ended_state_.erase(recently_ended_.front().seq);
    recently_ended_.pop_front();
  }
  ready_.RemoveJob(seq);
  jobs_.erase(it);
}

std::optional<v1::JobState> TaskTable::RecentlyEnded(uint64_t seq) const {
  auto it = recently_ended_state_.find(seq);
  if (it == recently_ended_state_.end()) return std::nullopt;
  return it->second;
}

}  // namespace fanout::coordinator
