#include "worker/run_pace.h"

#include <algorithm>
#include <limits>

namespace fanout::worker {

void RunPace::Expect(const std::string& function, absl::Time now) {
  by_function_[function].last = now;
}

void RunPace::Record(const std::string& function, double seconds, absl::Time now) {
  Pace& pace = by_function_[function];
  pace.seconds = pace.seconds < 0 ? seconds : 0.9 * pace.seconds + 0.1 * seconds;
  pace.last = now;
  if (now - pruned_ < absl::Seconds(1)) return;
  pruned_ = now;
  absl::erase_if(by_function_,
                 [now](const auto& entry) { return now - entry.second.last > kForgetAfter; });
}

double RunPace::SlowestSeconds(absl::Time now) const {
  double slowest = -1;
  for (const auto& [function, pace] : by_function_) {
    if (now - pace.last > kForgetAfter) continue;
    if (pace.seconds < 0) return std::numeric_limits<double>::infinity();
    slowest = std::max(slowest, pace.seconds);
  }
  return slowest;
}

double RunPace::Seconds(const std::string& function, absl::Time now) const {
  auto it = by_function_.find(function);
  if (it == by_function_.end() || now - it->second.last > kForgetAfter) return -1;
  return it->second.seconds;
}

}  // namespace fanout::worker
