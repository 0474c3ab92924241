// Reads the step traces that builtin:count writes with --param trace_dir, and checks them: did the
// invocations together execute every step of 0..n, and how many steps were executed twice?
#ifndef FANOUT_TESTS_COUNT_TRACE_H_
#define FANOUT_TESTS_COUNT_TRACE_H_

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "proto/fanout.pb.h"

namespace fanout::testing {

struct TraceRange {
  std::string invocation;  // job/task/epoch
  int64_t from = 0, to = 0;
  int64_t unix_ms = 0;  // when it was recorded
};

struct TraceSummary {
  bool covered = false;  // every step of [0, n) was executed at least once
  std::string gap;       // the first step missing, when not covered
  int64_t executed = 0;  // steps executed, counting repeats
  int64_t repeated = 0;  // executed - n
  std::set<std::string> invocations;
};

std::vector<TraceRange> ReadTrace(const std::string& path);

// A job of `tasks` builtin:count items of `steps` 1 ms steps each, checkpointing every `every`
// steps and tracing into `trace_dir`, under a time limit of `timeout_s` seconds, with 50 attempts
// (every kill that hits a task costs it one).
v1::JobSpec CountJobSpec(int tasks, int64_t steps, int64_t every, const std::string& trace_dir,
                         int timeout_s);
TraceSummary Summarize(const std::vector<TraceRange>& ranges, int64_t n);

}  // namespace fanout::testing

#endif  // FANOUT_TESTS_COUNT_TRACE_H_
