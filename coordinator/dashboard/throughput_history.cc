#include "coordinator/dashboard/throughput_history.h"

#include <algorithm>

namespace fanout::coordinator {

void ThroughputHistory::Sample(const std::vector<JobGauge>& jobs, absl::Time now,
                               absl::Duration forget_after) {
  absl::MutexLock lock(&mu_);
  for (const JobGauge& job : jobs) {
    Track& track = tracks_[job.job_id];
    track.last_seen = now;
    ThroughputSample sample{now, FinishedTasks(job.counts), 0};
    if (!track.samples.empty()) {
      const ThroughputSample& last = track.samples.back();
      if (last.finished == sample.finished && job.state != v1::JOB_RUNNING) continue;
      const double seconds = absl::ToDoubleSeconds(now - last.at);
      // A redrive can lower the finished count: the rate is then 0, not negative.
      if (seconds > 0 && sample.finished > last.finished) {
        sample.rate = (sample.finished - last.finished) / seconds;
      }
    }
    track.samples.push_back(sample);
    while (track.samples.size() > max_samples_) track.samples.pop_front();
  }
  for (auto it = tracks_.begin(); it != tracks_.end();) {
    if (now - it->second.last_seen > forget_after) {
      tracks_.erase(it++);
    } else {
      ++it;
    }
  }
}

double ThroughputHistory::Rate(const std::string& job_id, absl::Duration window) {
  absl::MutexLock lock(&mu_);
  auto it = tracks_.find(job_id);
  if (it == tracks_.end() || it->second.samples.size() < 2) return 0;
  const std::deque<ThroughputSample>& s = it->second.samples;
  const ThroughputSample& last = s.back();
  // The oldest sample within the window (or the one just before it, when none is inside).
  size_t from = s.size() - 2;
  while (from > 0 && last.at - s[from - 1].at <= window) --from;
  const double seconds = absl::ToDoubleSeconds(last.at - s[from].at);
  if (seconds <= 0 || last.finished < s[from].finished) return 0;
  return (last.finished - s[from].finished) / seconds;
}

std::vector<ThroughputSample> ThroughputHistory::Series(const std::string& job_id) {
  absl::MutexLock lock(&mu_);
  auto it = tracks_.find(job_id);
  if (it == tracks_.end()) return {};
  return {it->second.samples.begin(), it->second.samples.end()};
}

}  // namespace fanout::coordinator
