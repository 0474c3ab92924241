#include "trigger/consumer_thread.h"

#include <algorithm>

#include "absl/time/clock.h"
#include "glog/logging.h"

namespace fanout::trigger {

ConsumerThread::~ConsumerThread() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void ConsumerThread::Start(std::string what, std::function<bool(std::string* why)> session) {
  thread_ = std::thread(
      [this, what = std::move(what), session = std::move(session)] { Run(what, session); });
}

void ConsumerThread::Run(const std::string& what,
                         const std::function<bool(std::string* why)>& session) {
  absl::Duration backoff = absl::Milliseconds(100);
  while (!stop_) {
    std::string why = "closed";
    const absl::Time began = absl::Now();
    // A session that ended cleanly, or ran a while before breaking (it had connected), starts
    // the backoff over: the next outage is not waited out at the longest delay.
    if (session(&why) || absl::Now() - began > absl::Seconds(10)) {
      backoff = absl::Milliseconds(100);
    }
    if (stop_) break;
    LOG(WARNING) << what << ": " << why << "; again in " << backoff;
    for (absl::Time end = absl::Now() + backoff; !stop_ && absl::Now() < end;) {
      absl::SleepFor(absl::Milliseconds(50));
    }
    backoff = std::min(backoff * 2, absl::Seconds(5));
  }
}

}  // namespace fanout::trigger
