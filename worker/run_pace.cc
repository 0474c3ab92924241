#include "worker/run_pace.h"

#include <algorithm>
#include <limits>

namespace fanout::worker {

void RunPace::Hold(const std::string& function, absl::Time now) {
  Pace& pace = by_function_[function];
  pace.last = now;
  ++pace.held;
}

void RunPace::Drop(const std::string& function) {
  auto it = by_function_.find(function);
  if (it != by_function_.end() && it->second.held > 0) --it->second.held;
}

void RunPace::Record(const std::string& function, double seconds, absl::Time now) {
  Pace& pace = by_function_[function];
  pace.seconds = pace.seconds < 0 ? seconds : 0.9 * pace.seconds + 0.1 * seconds;
  pace.last = now;
  if (now - pruned_ < absl::Seconds(1)) return;
  pruned_ = now;
  absl::erase_if(by_function_, [now](const auto& entry) { return entry.second.Forgotten(now); });
}

double RunPace::SlowestSeconds(absl::Time now) const {
  double slowest = -1;
  for (const auto& [function, pace] : by_function_) {
    if (pace.Forgotten(now)) continue;
    if (pace.seconds < 0) return std::numeric_limits<double>::infinity();
    slowest = std::max(slowest, pace.seconds);
  }
  return slowest;
}

double RunPace::Seconds(const std::string& function, absl::Time now) const {
  auto it = by_function_.find(function);
  if (it == by_function_.end() || it->second.Forgotten(now)) return -1;
  return it->second.seconds;
}

}  // namespace fanout::worker
