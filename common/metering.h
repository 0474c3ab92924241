// Metering as AWS Lambda meters, and what Lambda would charge for it at its list prices. Shared by
// the coordinator (which meters each reported invocation into its job's Usage) and `fanout cost`.
#ifndef FANOUT_COMMON_METERING_H_
#define FANOUT_COMMON_METERING_H_

#include <cstdint>

#include "absl/time/time.h"
#include "proto/fanout.pb.h"

namespace fanout {

inline constexpr uint32_t kDefaultMemoryMb = 128;

// A job's memory size: options.memory_mb, or the default when unset.
uint32_t MemoryMb(const v1::JobOptions& options);

// Adds one invocation of `duration` at `memory_mb` to `usage`: one request, the duration rounded up
// to the millisecond (Lambda's billing granularity), and that many GB-seconds, which it returns.
double Meter(absl::Duration duration, uint32_t memory_mb, v1::Usage* usage);

struct LambdaPrices {
  // AWS Lambda's published list prices (x86, the first pricing tier).
  double per_request = 0.20 / 1e6;
  double per_gb_second = 0.0000166667;
  // The monthly free tier, subtracted only when asked (--free_tier).
  uint64_t free_requests = 1'000'000;
  double free_gb_seconds = 400'000;
};

struct LambdaCost {
  uint64_t billable_requests = 0;
  double billable_gb_seconds = 0;
  // Each charge rounded to the cent, and their sum, as AWS's bill (and its worked examples) shows.
  double request_charge = 0;
  double compute_charge = 0;
  double total = 0;
  // Unrounded, for small runs where every rounded figure is $0.00.
  double exact_total = 0;
};

LambdaCost PriceOnLambda(uint64_t requests, double gb_seconds, const LambdaPrices& prices,
                         bool free_tier);

}  // namespace fanout

#endif  // FANOUT_COMMON_METERING_H_
