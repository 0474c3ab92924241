#include "worker/run_pace.h"

#include <limits>

#include "gtest/gtest.h"

namespace fanout::worker {
namespace {

TEST(RunPaceTest, TheSlowestRecentFunctionBoundsTheLeaseAhead) {
  RunPace pace;
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  EXPECT_LT(pace.SlowestSeconds(t0), 0) << "nothing run yet";
  pace.Record("builtin:count", 3.0, t0);
  for (int i = 0; i < 1000; ++i) pace.Record("builtin:noop", 0.00001, t0);
  EXPECT_DOUBLE_EQ(pace.SlowestSeconds(t0), 3.0) << "instant tasks must not hide slow ones";
  pace.Record("builtin:count", 1.0, t0);
  EXPECT_NEAR(pace.SlowestSeconds(t0), 2.8, 1e-9);  // an EWMA per function
}

TEST(RunPaceTest, AFunctionLeasedButNotYetRunMayBeSlow) {
  RunPace pace;
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  for (int i = 0; i < 100; ++i) pace.Record("builtin:noop", 0.00001, t0);
  pace.Hold("builtin:count", t0);
  EXPECT_EQ(pace.SlowestSeconds(t0), std::numeric_limits<double>::infinity());
  pace.Record("builtin:count", 3.0, t0);
  EXPECT_DOUBLE_EQ(pace.SlowestSeconds(t0), 3.0);
}

TEST(RunPaceTest, AFunctionWithTasksInHandIsNeverForgotten) {
  RunPace pace;
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  pace.Hold("long", t0);
  pace.Hold("long", t0);
  pace.Record("long", 90.0, t0);  // one ran 90 s; the other still runs
  pace.Drop("long");
  const absl::Time later = t0 + 3 * RunPace::kForgetAfter;
  pace.Record("fast", 0.001, later);
  EXPECT_DOUBLE_EQ(pace.SlowestSeconds(later), 90.0) << "forgotten while a task still runs";
  pace.Drop("long");
  EXPECT_DOUBLE_EQ(pace.SlowestSeconds(later), 0.001);
}

TEST(RunPaceTest, AFunctionNotRunForAWhileIsForgotten) {
  RunPace pace;
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  pace.Record("slow", 3.0, t0);
  pace.Record("fast", 0.001, t0 + RunPace::kForgetAfter);
  EXPECT_DOUBLE_EQ(pace.SlowestSeconds(t0 + RunPace::kForgetAfter), 3.0);
  const absl::Time later = t0 + RunPace::kForgetAfter + absl::Seconds(2);
  pace.Record("fast", 0.001, later);
  EXPECT_DOUBLE_EQ(pace.SlowestSeconds(later), 0.001);
}

}  // namespace
}  // namespace fanout::worker
