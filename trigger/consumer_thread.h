// The thread a queue consumer reads on: it runs a session (one connection's life) again and again
// until the consumer goes away — after a wait of 100 ms doubling up to 5 s while sessions keep
// breaking at once. Declare it as the consumer's last member: it is destroyed first, so the thread
// is joined before anything its session uses.
#ifndef FANOUT_TRIGGER_CONSUMER_THREAD_H_
#define FANOUT_TRIGGER_CONSUMER_THREAD_H_

#include <atomic>
#include <functional>
#include <string>
#include <thread>

namespace fanout::trigger {

class ConsumerThread {
 public:
  // Sets stopping() and joins; a session sees it within its own wait (a read's block time).
  ~ConsumerThread();

  // `session` returns true when it ended cleanly, false when it broke (saying why); `what` names
  // the consumer in the log.
  void Start(std::string what, std::function<bool(std::string* why)> session);
  const std::atomic<bool>& stopping() const { return stop_; }

 private:
  void Run(const std::string& what, const std::function<bool(std::string* why)>& session);

  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace fanout::trigger

#endif  // FANOUT_TRIGGER_CONSUMER_THREAD_H_
