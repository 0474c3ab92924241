// Fans job progress out to watchers (WatchJob streams, `fanout submit --wait`). One thread polls
// each watched job every `interval` and hands a snapshot to its watchers whenever it changed, so a
// thousand watchers cost the coordinator nothing between polls and never block a transition.
#ifndef FANOUT_COORDINATOR_JOB_WATCH_HUB_H_
#define FANOUT_COORDINATOR_JOB_WATCH_HUB_H_

#include <functional>
#include <list>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "coordinator/job_manager.h"

namespace fanout::coordinator {

// Thread-safe. Owned by CoordinatorServer; `manager` outlives it.
class JobWatchHub {
 public:
  // Receives a snapshot (or the error that ends the watch) and whether it is the last one. Returns
  // false when the watcher went away.
  using Sink = std::function<bool(const absl::StatusOr<v1::Job>& job, bool last)>;

  JobWatchHub(JobManager& manager, absl::Duration interval);
  ~JobWatchHub();
  // Ends every watch ("shutting down") and refuses new ones. Idempotent.
  void Stop();

  // Calls `sink` with the job now, then on every change, until the job ends or `sink` returns
  // false.
  void Watch(std::string job_id, Sink sink);
  // Something may have changed: poll soon (within 100 µs per watch, at most 20 ms) instead of
  // waiting out the interval.
  void Poke();
  size_t watching();

 private:
  struct Watch_ {
    std::string job_id;
    Sink sink;
    std::string last_sent;  // serialized snapshot, to skip unchanged polls
  };
  void Run();
  // Polls one watch; returns false when it is over.
  bool Poll(Watch_& w);

  JobManager& manager_;
  const absl::Duration interval_;
  absl::Mutex mu_;
  std::list<Watch_> watches_ ABSL_GUARDED_BY(mu_);
  bool added_ ABSL_GUARDED_BY(mu_) = false;
  bool poked_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  bool stopped_ = false;  // touched only by Stop() and the destructor, on one thread
  std::thread thread_;
};

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_JOB_WATCH_HUB_H_
