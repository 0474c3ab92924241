// How long a task waits before its next attempt after a retryable failure: exponential backoff with
// "equal jitter" (half fixed, half random), so the wait grows with every attempt yet retries of
// many tasks that failed together spread out instead of returning in lockstep.
#ifndef FANOUT_COORDINATOR_RETRY_POLICY_H_
#define FANOUT_COORDINATOR_RETRY_POLICY_H_

#include <functional>

#include "absl/time/time.h"
#include "proto/fanout.pb.h"

namespace fanout::coordinator {

// Defaults for unset JobOptions fields.
inline constexpr uint32_t kDefaultMaxAttempts = 3;
inline constexpr absl::Duration kDefaultBackoffInitial = absl::Seconds(1);
inline constexpr absl::Duration kDefaultBackoffMax = absl::Seconds(60);

uint32_t MaxAttempts(const v1::JobOptions& options);

// Thread-compatible. `uniform01` returns numbers in [0, 1); tests pass a fixed sequence.
class RetryPolicy {
 public:
  explicit RetryPolicy(std::function<double()> uniform01);
  // A policy drawing from a process-local random generator.
  static RetryPolicy Random();

  // The wait after the `failures`-th failed attempt (1-based):
  // d = min(backoff_max, backoff_initial * 2^(failures-1)); wait in [d/2, d).
  absl::Duration Backoff(const v1::JobOptions& options, uint32_t failures) const;

 private:
  std::function<double()> uniform01_;
};

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_RETRY_POLICY_H_
