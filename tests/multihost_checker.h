// What a multi-host run must show, judged from its history (what the coordinator told each worker,
// tests/history.h), the step traces of builtin:count (when each lease's handler ran) and the
// store's tasks, not from final counts alone.
#ifndef FANOUT_TESTS_MULTIHOST_CHECKER_H_
#define FANOUT_TESTS_MULTIHOST_CHECKER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "proto/fanout.pb.h"

namespace fanout::testing {

struct RunVerdict {
  int lost = 0;               // tasks that did not succeed, or steps no lease executed
  int duplicate_commits = 0;  // tasks whose results were accepted from two leases
  int stale_commits = 0;      // accepted results or checkpoints the store contradicts
  int stale_refused = 0;      // outcomes and checkpoints refused as stale (the fencing at work)
  int64_t repeated_steps = 0;
  // The longest time two leases of one task ran their handlers at once (a fenced worker's
  // handler still running beside its successor's).
  int64_t max_overlap_ms = 0;
  // The longest time in which no handler of the job executed a step (a stall of the whole job).
  int64_t max_stall_ms = 0;
  std::vector<std::string> violations;  // one line each, for the test's failure message
};

// `steps`: each task's item is {"n": steps}; its trace is under `trace_dir`.
RunVerdict CheckRun(const std::vector<v1::Task>& tasks, const std::string& history_dir,
                    const std::string& trace_dir, int64_t steps);

// Lines in a worker's history file so far (what the coordinator acknowledged it).
int HistoryLines(const std::string& path);

}  // namespace fanout::testing

#endif  // FANOUT_TESTS_MULTIHOST_CHECKER_H_
