#include "common/metering.h"

#include "gtest/gtest.h"

namespace fanout {
namespace {

v1::Usage MeterMany(uint64_t invocations, absl::Duration each, uint32_t memory_mb) {
  v1::Usage usage;
  for (uint64_t i = 0; i < invocations; ++i) Meter(each, memory_mb, &usage);
  return usage;
}

TEST(MeterTest, RoundsEachInvocationUpToTheMillisecond) {
  v1::Usage usage;
  Meter(absl::Microseconds(1), 1024, &usage);     // 1 ms
  Meter(absl::Microseconds(1500), 1024, &usage);  // 2 ms
  Meter(absl::Milliseconds(7), 1024, &usage);     // 7 ms, exactly
  EXPECT_EQ(usage.requests(), 3);
  EXPECT_EQ(usage.billed_ms(), 10);
  EXPECT_DOUBLE_EQ(usage.gb_seconds(), 0.010);
}

TEST(MeterTest, DefaultMemoryIs128Mb) {
  EXPECT_EQ(MemoryMb(v1::JobOptions()), 128);
  v1::JobOptions options;
  options.set_memory_mb(2048);
  EXPECT_EQ(MemoryMb(options), 2048);
}

// The seed's first example: 512 MB, 3 million invocations of 1 s each, free tier subtracted.
// 1,500,000 GB-s - 400,000 = 1,100,000 billable; 3M - 1M = 2M billable requests ($0.40).
TEST(PriceOnLambdaTest, SeedExampleOne) {
  const v1::Usage usage = MeterMany(3'000'000, absl::Seconds(1), 512);
  EXPECT_EQ(usage.requests(), 3'000'000);
  EXPECT_DOUBLE_EQ(usage.gb_seconds(), 1'500'000);

  // The seed's $18.74 is AWS's worked example, which prices a GB-second at the rounded
  // $0.00001667: $18.34 compute + $0.40 requests.
  LambdaPrices example_rate;
  example_rate.per_gb_second = 0.00001667;
  const LambdaCost seed = PriceOnLambda(usage.requests(), usage.gb_seconds(), example_rate, true);
  EXPECT_EQ(seed.billable_requests, 2'000'000);
  EXPECT_DOUBLE_EQ(seed.billable_gb_seconds, 1'100'000);
  EXPECT_DOUBLE_EQ(seed.request_charge, 0.40);
  EXPECT_DOUBLE_EQ(seed.compute_charge, 18.34);
  EXPECT_NEAR(seed.total, 18.74, 1e-9);

  // At the unrounded list price ($0.0000166667) the compute charge is $18.33.
  const LambdaCost list = PriceOnLambda(usage.requests(), usage.gb_seconds(), LambdaPrices(), true);
  EXPECT_DOUBLE_EQ(list.compute_charge, 18.33);
  EXPECT_NEAR(list.total, 18.73, 1e-9);
}

// The seed's second example: 128 MB, 30 million invocations of 200 ms each, free tier subtracted.
// 750,000 GB-s - 400,000 = 350,000 billable ($5.83); 29M billable requests ($5.80).
TEST(PriceOnLambdaTest, SeedExampleTwo) {
  const v1::Usage usage = MeterMany(30'000'000, absl::Milliseconds(200), 128);
  EXPECT_EQ(usage.billed_ms(), 6'000'000'000);
  EXPECT_NEAR(usage.gb_seconds(), 750'000, 1e-3);
  for (double rate : {0.0000166667, 0.00001667}) {
    LambdaPrices prices;
    prices.per_gb_second = rate;
    const LambdaCost cost = PriceOnLambda(usage.requests(), usage.gb_seconds(), prices, true);
    EXPECT_EQ(cost.billable_requests, 29'000'000);
    EXPECT_DOUBLE_EQ(cost.request_charge, 5.80);
    EXPECT_DOUBLE_EQ(cost.compute_charge, 5.83) << rate;
    EXPECT_NEAR(cost.total, 11.63, 1e-9) << rate;
  }
}

TEST(PriceOnLambdaTest, WithoutTheFreeTierEverythingIsBilled) {
  const LambdaCost cost = PriceOnLambda(1'000, 12.5, LambdaPrices(), false);
  EXPECT_EQ(cost.billable_requests, 1'000);
  EXPECT_DOUBLE_EQ(cost.billable_gb_seconds, 12.5);
  EXPECT_DOUBLE_EQ(cost.total, 0.0);  // both charges round to $0.00
  EXPECT_NEAR(cost.exact_total, 1'000 * 0.2e-6 + 12.5 * 0.0000166667, 1e-12);
}

TEST(PriceOnLambdaTest, TheFreeTierNeverGoesNegative) {
  const LambdaCost cost = PriceOnLambda(10, 1.0, LambdaPrices(), true);
  EXPECT_EQ(cost.billable_requests, 0);
  EXPECT_DOUBLE_EQ(cost.billable_gb_seconds, 0);
  EXPECT_DOUBLE_EQ(cost.exact_total, 0);
}

}  // namespace
}  // namespace fanout
