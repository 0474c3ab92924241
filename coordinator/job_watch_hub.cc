#include "coordinator/job_watch_hub.h"

#include <algorithm>

namespace fanout::coordinator {

JobWatchHub::JobWatchHub(JobManager& manager, absl::Duration interval)
    : manager_(manager), interval_(interval), thread_([this] { Run(); }) {}

JobWatchHub::~JobWatchHub() { Stop(); }

void JobWatchHub::Stop() {
  if (stopped_) return;
  stopped_ = true;
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  thread_.join();
}

void JobWatchHub::Watch(std::string job_id, Sink sink) {
  absl::MutexLock lock(&mu_);
  if (stop_) {
    sink(absl::UnavailableError("coordinator shutting down"), true);
    return;
  }
  watches_.push_back({std::move(job_id), std::move(sink), ""});
  added_ = true;  // answer the first snapshot at once, not after a full interval
}

void JobWatchHub::Poke() {
  absl::MutexLock lock(&mu_);
  poked_ = true;
}

size_t JobWatchHub::watching() {
  absl::MutexLock lock(&mu_);
  return watches_.size();
}

bool JobWatchHub::Poll(Watch_& w) {
  absl::StatusOr<v1::Job> job = manager_.GetJobSummary(w.job_id);
  if (!job.ok()) {
    w.sink(job.status(), /*last=*/true);
    return false;
  }
  // A watch lasts until the job's manifests are written too: whoever waits on the job can read
  // them.
  const bool last =
      job->state() != v1::JOB_RUNNING && job->fan_in().state() != v1::FanIn::FAN_IN_PENDING;
  std::string snapshot = job->SerializeAsString();
  if (snapshot == w.last_sent && !last) return true;
  w.last_sent = std::move(snapshot);
  return w.sink(*job, last) && !last;
}

void JobWatchHub::Run() {
  while (true) {
    std::list<Watch_> batch;
    {
      absl::MutexLock lock(&mu_);
      auto woken = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return added_ || (poked_ && !watches_.empty()) || stop_;
      };
      mu_.AwaitWithTimeout(absl::Condition(&woken), interval_);
      if (stop_) break;
      added_ = poked_ = false;
      batch.swap(watches_);
    }
    // Sinks run without mu_ held, so that they may call Watch().
    for (auto it = batch.begin(); it != batch.end();) {
      it = Poll(*it) ? std::next(it) : batch.erase(it);
    }
    absl::MutexLock lock(&mu_);
    watches_.splice(watches_.begin(), batch);
    // Pokes come with every commit of results, tens of thousands a second: a poll of every watch
    // each time would cost more than the commits once many watch. Coalesce them into one poll per
    // 100 µs per watch, at most 20 ms: one watcher (a `--wait`, a fan-in) hears of its job's end
    // within a fraction of a millisecond of the commit that ended it, a thousand within 20 ms.
    const absl::Duration coalesce = std::min(
        absl::Microseconds(100) * static_cast<int64_t>(watches_.size()), absl::Milliseconds(20));
    auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_; };
    mu_.AwaitWithTimeout(absl::Condition(&stopping), coalesce);
  }
  std::list<Watch_> left;
  {
    absl::MutexLock lock(&mu_);
    left.swap(watches_);
  }
  for (Watch_& w : left) w.sink(absl::UnavailableError("coordinator shutting down"), true);
}

}  // namespace fanout::coordinator
