// Small process-level helpers every binary's main needs: waiting for SIGINT/SIGTERM, writing a port
// file atomically, and this host's name.
#ifndef FANOUT_COMMON_PROCESS_UTIL_H_
#define FANOUT_COMMON_PROCESS_UTIL_H_

#include <functional>
#include <string>

#include "absl/status/status.h"

namespace fanout {

// The first call of a server process's main (coordinator, worker, `fanout dev`): malloc tunables
// (may re-execute), blocked termination signals, malloc tuning, no mutex deadlock detection.
void PrepareServerProcess(char** argv);

// Blocks SIGINT and SIGTERM in the calling thread and every thread it starts afterwards; call first
// thing in main, then WaitForTerminationSignal() once everything runs.
void BlockTerminationSignals();
// Returns the signal that arrived; or 0 as soon as `give_up()` (checked every second) returns true.
int WaitForTerminationSignal(const std::function<bool()>& give_up = nullptr);

// Writes "<port>\n" to `path` via a temporary file and rename, so a reader never sees half of it.
absl::Status WritePortFile(const std::string& path, int port);

std::string HostName();

// Keeps freed memory in the process instead of handing big blocks back to the kernel at once: the
// hot paths allocate and free multi-megabyte buffers (write batches, lease batches) many times a
// second, and mmap/munmap plus page zeroing of each showed up as a quarter of the CPU.
void TuneMallocForThroughput();

// Turns off absl::Mutex's lock-order (deadlock) detection, which Debian's Abseil leaves on: it kept
// a graph of every lock acquisition and cost the worker a tenth of its CPU. Tests keep it on.
void DisableMutexDeadlockDetection();

// glibc reads its malloc tunables only when a process starts. If GLIBC_TUNABLES is unset, sets a
// larger per-thread cache (glibc.malloc.tcache_count) and re-executes the program once: with the
// default of 7 cached chunks per size, freeing a batch of a thousand small messages went to glibc's
// fast bins, which it then had to consolidate. Measured: a fifth less coordinator CPU per task.
// Returns only if nothing needed doing (or the re-exec failed, which is harmless).
void RestartWithMallocTunables(char** argv);

}  // namespace fanout

#endif  // FANOUT_COMMON_PROCESS_UTIL_H_
