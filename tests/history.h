// A run's history as its workers recorded it (fanout-worker --history_file; worker/history.h):
// every outcome and checkpoint the coordinator acknowledged. Checked against the store afterwards,
// it proves what final counts cannot: no acknowledged result or checkpoint was lost, and no task
// had results accepted from two leases.
#ifndef FANOUT_TESTS_HISTORY_H_
#define FANOUT_TESTS_HISTORY_H_

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "proto/fanout.pb.h"

namespace fanout::testing {

struct TaskHistory {
  // Epochs whose results were accepted, each with the digests of what was accepted.
  std::map<uint64_t, std::set<std::string>> accepted;
  // Acknowledged (committed) checkpoints, in the order each worker recorded them: epoch, cursor.
  std::vector<std::pair<uint64_t, std::string>> checkpoints;
  int stale = 0;  // outcomes and checkpoints refused as stale
};

// By job id and task index.
using History = std::map<std::pair<std::string, uint64_t>, TaskHistory>;

// Reads every *.jsonl file under `dir` (a line cut short by a kill is skipped).
History ReadHistory(const std::string& dir);

// Where a task's checkpoint cursor (a serialized TaskCheckpoint) stands: larger is further.
using StepOf = std::function<int64_t(const std::string& cursor)>;

// What the store shows that the history says cannot be: results accepted from two leases, an
// accepted result that is not the committed one, an attempt that resumed from before an
// acknowledged checkpoint. One line per violation; empty when the store agrees.
std::vector<std::string> CheckHistory(const History& history, const std::vector<v1::Task>& tasks,
                                      const StepOf& step_of);

}  // namespace fanout::testing

#endif  // FANOUT_TESTS_HISTORY_H_
