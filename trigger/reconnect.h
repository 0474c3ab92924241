// How every queue consumer keeps its connection: run a session until it ends, and when it broke,
// wait (100 ms, doubling up to 5 s, reset by a session that ended cleanly) and start another —
// until told to stop.
#ifndef FANOUT_TRIGGER_RECONNECT_H_
#define FANOUT_TRIGGER_RECONNECT_H_

#include <atomic>
#include <functional>
#include <string>

namespace fanout::trigger {

// `session` returns true when it ended cleanly (stopping), false when it broke; it fills `why`.
void RunReconnecting(const std::atomic<bool>& stop, const std::string& what,
                     const std::function<bool(std::string* why)>& session);

}  // namespace fanout::trigger

#endif  // FANOUT_TRIGGER_RECONNECT_H_
