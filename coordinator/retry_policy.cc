#include "coordinator/retry_policy.h"

#include <algorithm>
#include <memory>

#include "absl/random/random.h"
#include "common/proto_time.h"

namespace fanout::coordinator {

uint32_t MaxAttempts(const v1::JobOptions& options) {
  return options.max_attempts() == 0 ? kDefaultMaxAttempts : options.max_attempts();
}

RetryPolicy::RetryPolicy(std::function<double()> uniform01) : uniform01_(std::move(uniform01)) {}

RetryPolicy RetryPolicy::Random() {
  auto gen = std::make_shared<absl::BitGen>();
  return RetryPolicy([gen] { return absl::Uniform(*gen, 0.0, 1.0); });
}

absl::Duration RetryPolicy::Backoff(const v1::JobOptions& options, uint32_t failures) const {
  const absl::Duration initial =
      DurationOr(options.has_backoff_initial(), options.backoff_initial(), kDefaultBackoffInitial);
  const absl::Duration cap =
      DurationOr(options.has_backoff_max(), options.backoff_max(), kDefaultBackoffMax);
  absl::Duration d = initial;
  for (uint32_t i = 1; i < failures && d < cap; ++i) d *= 2;
  d = std::min(d, cap);
  return d / 2 + (d / 2) * uniform01_();
}

}  // namespace fanout::coordinator
