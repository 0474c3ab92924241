// Time is injected: everything that reads the time (lease expiry, backoff, time limits) takes a
// Clock&, so tests drive it with FakeClock.
#ifndef FANOUT_COMMON_CLOCK_H_
#define FANOUT_COMMON_CLOCK_H_

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace fanout {

// Thread-safe. Implementations are owned by whoever wires the process (main, tests).
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
};

// Thread-safe; stateless.
class RealClock : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
  // A process-wide instance for code that has nothing else to inject.
  static Clock& Get();
};

// Thread-safe. Time stands still until a test advances it.
class FakeClock : public Clock {
 public:
  explicit FakeClock(absl::Time start = absl::FromUnixSeconds(1'700'000'000)) : now_(start) {}
  absl::Time Now() const override {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  void Advance(absl::Duration d) {
    absl::MutexLock lock(&mu_);
    now_ += d;
  }
  void Set(absl::Time t) {
    absl::MutexLock lock(&mu_);
    now_ = t;
  }

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

}  // namespace fanout

#endif  // FANOUT_COMMON_CLOCK_H_
