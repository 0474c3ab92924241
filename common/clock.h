// Time is injected: everything that reads the time or waits for it (lease expiry, backoff, time
// limits, the background loops) takes a Clock&, so tests drive it with FakeClock and never sleep
// for real.
#ifndef FANOUT_COMMON_CLOCK_H_
#define FANOUT_COMMON_CLOCK_H_

#include <chrono>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace fanout {

// Thread-safe. Implementations are owned by whoever wires the process (main, tests).
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
  // With `mu` held: waits until `condition` holds or this clock reaches `deadline`, releasing `mu`
  // meanwhile. Returns whether the condition holds.
  virtual bool AwaitUntil(absl::Mutex& mu, const absl::Condition& condition,
                          absl::Time deadline) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) = 0;
  bool AwaitFor(absl::Mutex& mu, const absl::Condition& condition, absl::Duration timeout) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    return AwaitUntil(mu, condition, Now() + timeout);
  }
};

// Thread-safe; stateless. The system's wall clock: for what must follow the calendar (cron
// schedules), not for measuring intervals — an NTP step moves it.
class RealClock : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
  bool AwaitUntil(absl::Mutex& mu, const absl::Condition& condition,
                  absl::Time deadline) const override ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // A process-wide instance for code that has nothing else to inject.
  static Clock& Get();
};

// Thread-safe. Wall time at construction, then advanced by the monotonic clock: lease expiries,
// backoffs, time limits and waits on it cannot be moved by a step of the system clock (an NTP
// correction would otherwise expire every lease at once). Times it gives are shown as dates, so
// they start equal to the wall clock; they differ from it only by steps taken since.
class MonotonicClock : public Clock {
 public:
  MonotonicClock();
  absl::Time Now() const override;
  bool AwaitUntil(absl::Mutex& mu, const absl::Condition& condition,
                  absl::Time deadline) const override ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // The process's instance: every part of one process agrees on the time.
  static Clock& Get();

 private:
  const absl::Time wall_at_start_;
  const std::chrono::steady_clock::time_point steady_at_start_;
};

// Thread-safe. Time stands still until a test advances it; waits on it end when a test advances it
// past their deadline (or their condition holds), never by real time passing.
class FakeClock : public Clock {
 public:
  explicit FakeClock(absl::Time start = absl::FromUnixSeconds(1'700'000'000)) : now_(start) {}
  absl::Time Now() const override {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  bool AwaitUntil(absl::Mutex& mu, const absl::Condition& condition,
                  absl::Time deadline) const override ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
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
