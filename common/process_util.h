// Small process-level helpers every binary's main needs: waiting for SIGINT/SIGTERM, writing a port
// file atomically, and this host's name.
#ifndef FANOUT_COMMON_PROCESS_UTIL_H_
#define FANOUT_COMMON_PROCESS_UTIL_H_

#include <functional>
#include <string>

#include "absl/status/status.h"

namespace fanout {

// The first call of a server process's main (coordinator, worker, trigger, `fanout dev`): blocked
// termination signals, no mutex deadlock detection. (Their allocator is jemalloc, linked in:
// //bazel:jemalloc.)
void PrepareServerProcess();

// Blocks SIGINT and SIGTERM in the calling thread and every thread it starts afterwards; call first
// thing in main, then WaitForTerminationSignal() once everything runs.
void BlockTerminationSignals();
// Returns the signal that arrived; or 0 as soon as `give_up()` (checked every second) returns true.
int WaitForTerminationSignal(const std::function<bool()>& give_up = nullptr);

// Writes "<port>\n" to `path` via a temporary file and rename, so a reader never sees half of it.
absl::Status WritePortFile(const std::string& path, int port);

std::string HostName();

// Ends a server process once everything it must keep is safe (the store closed, outcomes
// reported): stdio is flushed, and static destructors are skipped, in which gRPC's library
// shutdown waited seconds for its threads (1.8 s for a coordinator after one client call).
[[noreturn]] void ExitNow(int code);

// Turns off absl::Mutex's lock-order (deadlock) detection, which Debian's Abseil leaves on: it kept
// a graph of every lock acquisition and cost the worker a tenth of its CPU. Tests keep it on.
void DisableMutexDeadlockDetection();

}  // namespace fanout

#endif  // FANOUT_COMMON_PROCESS_UTIL_H_
