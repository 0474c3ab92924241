#include "common/clock.h"

#include <thread>

#include "gtest/gtest.h"

namespace fanout {
namespace {

TEST(ClockTest, AFakeWaitEndsWhenTheTestAdvancesTimeNotWhenRealTimePasses) {
  FakeClock clock;
  absl::Mutex mu;
  bool flag = false;
  const absl::Time deadline = clock.Now() + absl::Hours(1);
  std::thread advancer([&] {
    absl::SleepFor(absl::Milliseconds(20));
    clock.Advance(absl::Minutes(59));  // not yet
    absl::SleepFor(absl::Milliseconds(20));
    clock.Advance(absl::Minutes(2));
  });
  const absl::Time real_start = absl::Now();
  absl::MutexLock lock(&mu);
  EXPECT_FALSE(clock.AwaitUntil(mu, absl::Condition(&flag), deadline));
  EXPECT_GE(clock.Now(), deadline);
  EXPECT_LT(absl::Now() - real_start, absl::Seconds(5));
  mu.Unlock();
  advancer.join();
  mu.Lock();
}

TEST(ClockTest, AFakeWaitEndsAtOnceWhenItsConditionHolds) {
  FakeClock clock;
  absl::Mutex mu;
  bool flag = false;
  std::thread setter([&] {
    absl::SleepFor(absl::Milliseconds(20));
    absl::MutexLock lock(&mu);
    flag = true;
  });
  {
    absl::MutexLock lock(&mu);
    EXPECT_TRUE(clock.AwaitUntil(mu, absl::Condition(&flag), clock.Now() + absl::Hours(1)));
  }
  setter.join();
}

TEST(ClockTest, MonotonicTimeStartsAtTheWallClockAndNeverGoesBack) {
  MonotonicClock clock;
  EXPECT_LT(absl::AbsDuration(clock.Now() - absl::Now()), absl::Seconds(1));
  absl::Time last = clock.Now();
  for (int i = 0; i < 1000; ++i) {
    const absl::Time now = clock.Now();
    EXPECT_GE(now, last);
    last = now;
  }
  absl::Mutex mu;
  absl::MutexLock lock(&mu);
  bool never = false;
  const absl::Time start = clock.Now();
  EXPECT_FALSE(clock.AwaitFor(mu, absl::Condition(&never), absl::Milliseconds(30)));
  EXPECT_GE(clock.Now() - start, absl::Milliseconds(30));
}

}  // namespace
}  // namespace fanout
