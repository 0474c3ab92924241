#include "coordinator/retry_policy.h"

#include <vector>

#include "common/proto_time.h"
#include "gtest/gtest.h"

namespace fanout::coordinator {
namespace {

v1::JobOptions Options() {
  v1::JobOptions o;
  ToProto(absl::Seconds(1), o.mutable_backoff_initial());
  ToProto(absl::Seconds(30), o.mutable_backoff_max());
  return o;
}

TEST(RetryPolicyTest, BackoffGrowsExponentiallyUpToTheCap) {
  RetryPolicy lowest([] { return 0.0; });
  EXPECT_EQ(lowest.Backoff(Options(), 1), absl::Milliseconds(500));
  EXPECT_EQ(lowest.Backoff(Options(), 2), absl::Seconds(1));
  EXPECT_EQ(lowest.Backoff(Options(), 3), absl::Seconds(2));
  EXPECT_EQ(lowest.Backoff(Options(), 10), absl::Seconds(15));
  EXPECT_EQ(lowest.Backoff(Options(), 1000), absl::Seconds(15));
}

TEST(RetryPolicyTest, BackoffIsJitteredWithinItsWindow) {
  std::vector<double> draws = {0.0, 0.25, 0.99};
  size_t next = 0;
  RetryPolicy policy([&] { return draws[next++ % draws.size()]; });
  const absl::Duration a = policy.Backoff(Options(), 3);
  const absl::Duration b = policy.Backoff(Options(), 3);
  const absl::Duration c = policy.Backoff(Options(), 3);
  EXPECT_EQ(a, absl::Seconds(2));
  EXPECT_EQ(b, absl::Milliseconds(2500));
  EXPECT_GT(c, b);
  EXPECT_LT(c, absl::Seconds(4));
}

TEST(RetryPolicyTest, RealJitterSpreadsRetries) {
  RetryPolicy policy = RetryPolicy::Random();
  absl::Duration lo = absl::InfiniteDuration(), hi = absl::ZeroDuration();
  for (int i = 0; i < 200; ++i) {
    const absl::Duration d = policy.Backoff(Options(), 2);
    EXPECT_GE(d, absl::Seconds(1));
    EXPECT_LT(d, absl::Seconds(2));
    lo = std::min(lo, d);
    hi = std::max(hi, d);
  }
  EXPECT_GT(hi - lo, absl::Milliseconds(500));
}

TEST(RetryPolicyTest, DefaultsApplyWhenUnset) {
  RetryPolicy policy([] { return 0.0; });
  EXPECT_EQ(policy.Backoff(v1::JobOptions(), 1), absl::Milliseconds(500));
  EXPECT_EQ(MaxAttempts(v1::JobOptions()), 3);
}

}  // namespace
}  // namespace fanout::coordinator
