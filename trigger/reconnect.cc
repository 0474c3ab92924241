#include "trigger/reconnect.h"

#include "absl/time/clock.h"
#include "glog/logging.h"

namespace fanout::trigger {

void RunReconnecting(const std::atomic<bool>& stop, const std::string& what,
                     const std::function<bool(std::string* why)>& session) {
  absl::Duration backoff = absl::Milliseconds(100);
  while (!stop) {
    std::string why = "closed";
    if (session(&why)) backoff = absl::Milliseconds(100);
    if (stop) break;
    LOG(WARNING) << what << ": " << why << "; again in " << backoff;
    for (absl::Time end = absl::Now() + backoff; !stop && absl::Now() < end;) {
      absl::SleepFor(absl::Milliseconds(50));
    }
    backoff = std::min(backoff * 2, absl::Seconds(5));
  }
}

}  // namespace fanout::trigger
