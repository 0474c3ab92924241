#include "common/clock.h"

namespace fanout {

bool RealClock::AwaitUntil(absl::Mutex& mu, const absl::Condition& condition,
                           absl::Time deadline) const {
  return mu.AwaitWithDeadline(condition, deadline);
}

Clock& RealClock::Get() {
  static RealClock* clock = new RealClock();
  return *clock;
}

MonotonicClock::MonotonicClock()
    : wall_at_start_(absl::Now()), steady_at_start_(std::chrono::steady_clock::now()) {}

absl::Time MonotonicClock::Now() const {
  return wall_at_start_ + absl::FromChrono(std::chrono::steady_clock::now() - steady_at_start_);
}

bool MonotonicClock::AwaitUntil(absl::Mutex& mu, const absl::Condition& condition,
                                absl::Time deadline) const {
  // A relative timeout: absl's absolute deadlines are on the wall clock.
  while (true) {
    const absl::Duration left = deadline - Now();
    if (left <= absl::ZeroDuration()) return condition.Eval();
    if (mu.AwaitWithTimeout(condition, left)) return true;
  }
}

Clock& MonotonicClock::Get() {
  static MonotonicClock* clock = new MonotonicClock();
  return *clock;
}

bool FakeClock::AwaitUntil(absl::Mutex& mu, const absl::Condition& condition,
                           absl::Time deadline) const {
  // Fake time moves only when a test advances it, from another thread: look again every
  // millisecond of real time (a wait on it costs no real time beyond that).
  while (true) {
    if (condition.Eval()) return true;
    if (Now() >= deadline) return false;
    if (mu.AwaitWithTimeout(condition, absl::Milliseconds(1))) return true;
  }
}

}  // namespace fanout
