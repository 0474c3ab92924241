// Writes the manifests of ended jobs and starts their reduce, on its own thread, so that the
// coordinator's hot path never waits on a disk or a bucket. The fan-in of a job is pending in the
// store from the moment the job ends (whether it succeeded, failed or was cancelled) until the
// manifests are written — or could not be, after retries: then the job's fan-in says why. Either
// way it ends, so nothing that waits on a fan-in waits forever. A coordinator restarted mid-write
// writes the manifests again, whole; the reduce job is submitted under an idempotency key, so it
// runs once.
#ifndef FANOUT_COORDINATOR_FAN_IN_FAN_IN_RUNNER_H_
#define FANOUT_COORDINATOR_FAN_IN_FAN_IN_RUNNER_H_

#include <functional>
#include <memory>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "coordinator/fan_in/manifest_sink.h"
#include "coordinator/job_store.h"

namespace fanout::coordinator {

// Thread-safe (Poke); the writing happens on its own thread. Owned by CoordinatorServer.
class FanInRunner {
 public:
  struct Options {
    absl::Duration idle = absl::Seconds(1);
    int max_failures = 5;  // tries of a failing write, 1 s, 2 s, 4 s ... apart; then FAN_IN_FAILED
    absl::Duration retry_base = absl::Seconds(1);
  };
  using SinkFactory =
      std::function<absl::StatusOr<std::unique_ptr<ManifestSink>>(const v1::Job& job)>;
  // Submits the reduce job; returns it (the same one again for the same idempotency key).
  using Submit = std::function<absl::StatusOr<v1::Job>(const v1::JobSpec& spec)>;

  // `on_change` is called after a fan-in was recorded (to wake those who watch the job).
  FanInRunner(JobStore& store, Clock& clock, SinkFactory sinks, Submit submit,
              std::function<void()> on_change, Options options);
  ~FanInRunner();

  // A job ended: look now.
  void Poke();

 private:
  struct Retry {
    int failures = 0;
    absl::Time at = absl::InfinitePast();
  };

  void Run();
  void Step();
  // Writes `job`'s manifests and submits its reduce; the fan-in to record.
  absl::StatusOr<v1::FanIn> FanIn(const v1::Job& job);
  void Record(const v1::Job& job, v1::FanIn fan_in);

  JobStore& store_;
  Clock& clock_;
  const SinkFactory sinks_;
  const Submit submit_;
  const std::function<void()> on_change_;
  const Options options_;
  absl::flat_hash_map<std::string, Retry> retries_;  // only the runner's thread touches it

  absl::Mutex mu_;
  bool poked_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

// The job that runs `job`'s reduce function once over its manifest (the only item).
v1::JobSpec ReduceSpec(const v1::Job& job, const v1::FanIn& fan_in);

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_FAN_IN_FAN_IN_RUNNER_H_
