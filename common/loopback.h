// Whether a listen address (HOST:PORT) is reachable only from this machine: 127.0.0.0/8, ::1 and
// localhost are; a wildcard, a name or any other address is not. What may go without a token or
// a signature depends on it.
#ifndef FANOUT_COMMON_LOOPBACK_H_
#define FANOUT_COMMON_LOOPBACK_H_

#include "absl/strings/string_view.h"

namespace fanout {

bool IsLoopbackListen(absl::string_view listen);

}  // namespace fanout

#endif  // FANOUT_COMMON_LOOPBACK_H_
