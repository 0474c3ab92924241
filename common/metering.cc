#include "common/metering.h"

#include <algorithm>
#include <cmath>

#include "common/proto_time.h"

namespace fanout {
namespace {

double RoundToCent(double dollars) { return std::round(dollars * 100) / 100; }

}  // namespace

uint32_t MemoryMb(const v1::JobOptions& options) {
  return options.memory_mb() == 0 ? kDefaultMemoryMb : options.memory_mb();
}

double Meter(absl::Duration duration, uint32_t memory_mb, v1::Usage* usage) {
  const int64_t ms =
      std::max<int64_t>(0, absl::ToInt64Milliseconds(absl::Ceil(duration, absl::Milliseconds(1))));
  usage->set_requests(usage->requests() + 1);
  usage->set_billed_ms(usage->billed_ms() + ms);
  const double gb_seconds = memory_mb / 1024.0 * ms / 1000.0;
  usage->set_gb_seconds(usage->gb_seconds() + gb_seconds);
  return gb_seconds;
}

LambdaCost PriceOnLambda(uint64_t requests, double gb_seconds, const LambdaPrices& prices,
                         bool free_tier) {
  LambdaCost cost;
  cost.billable_requests = requests;
  cost.billable_gb_seconds = gb_seconds;
  if (free_tier) {
    cost.billable_requests = requests > prices.free_requests ? requests - prices.free_requests : 0;
    cost.billable_gb_seconds = std::max(0.0, gb_seconds - prices.free_gb_seconds);
  }
  const double requests_exact = cost.billable_requests * prices.per_request;
  const double compute_exact = cost.billable_gb_seconds * prices.per_gb_second;
  cost.request_charge = RoundToCent(requests_exact);
  cost.compute_charge = RoundToCent(compute_exact);
  cost.total = RoundToCent(cost.request_charge + cost.compute_charge);
  cost.exact_total = requests_exact + compute_exact;
  return cost;
}

}  // namespace fanout
