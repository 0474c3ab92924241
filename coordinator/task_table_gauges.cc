// TaskTable, continued: what the coordinator's gauges show (backlog and oldest pending task per
// job). Read under the store's lock at each scrape; bounded by the resident jobs and the snapshots
// of those that left memory recently.
#include <algorithm>

#include "common/proto_time.h"
#include "coordinator/task_table.h"

namespace fanout::coordinator {
namespace {

// When a pending task started waiting: as recorded when it became pending (appended by a listing,
// sent back, redriven); else (written before that was recorded, or never written) since its last
// attempt ended, or since its job was created.
absl::Time PendingSince(const v1::Job& job, const v1::Task& task) {
  if (task.has_pending_since()) return FromProto(task.pending_since());
  if (task.attempts_size() == 0) return FromProto(job.created_at());
  return FromProto(task.attempts(task.attempts_size() - 1).ended_at());
}

// Since when the job's oldest pending task has waited (none pending: unset).
std::optional<absl::Time> OldestPending(const v1::Job& job,
                                        const absl::node_hash_map<uint64_t, v1::Task>& live) {
  if (job.state() != v1::JOB_RUNNING || job.counts().pending() == 0) return std::nullopt;
  uint64_t live_pending = 0;
  std::optional<absl::Time> oldest;
  for (const auto& [index, task] : live) {
    if (task.state() != v1::TASK_PENDING) continue;
    ++live_pending;
    const absl::Time since = PendingSince(job, task);
    oldest = oldest ? std::min(*oldest, since) : since;
  }
  // Pending tasks not in memory were never materialized, so never leased: they have waited
  // since the job was created (a sequential job materializes every task it appends).
  if (live_pending < job.counts().pending()) oldest = FromProto(job.created_at());
  return oldest;
}

}  // namespace

std::vector<JobGauge> TaskTable::Gauges(absl::Time now, absl::Duration ended_within) {
  const absl::Time shown_since = now - std::min(ended_within, kGaugedEndedJobs);
  std::vector<JobGauge> out;
  for (const auto& [seq, entry] : jobs_) {
    const v1::Job& job = entry.job;
    if (job.state() != v1::JOB_RUNNING && FromProto(job.finished_at()) < shown_since) continue;
    JobGauge& g = out.emplace_back();
    g.job_id = job.job_id();
    g.function = job.spec().function();
    g.state = job.state();
    g.counts = job.counts();
    g.oldest_pending_since = OldestPending(job, entry.live);
  }
  for (const Ended& ended : recently_ended_) {
    if (ended.at >= shown_since) out.push_back(ended.gauge);
  }
  return out;
}

}  // namespace fanout::coordinator
