// Turns stored tasks into per-item results for GetResults: a task of N items becomes N entries,
// each with the item, the task's state, and its own result (or the task's error).
#ifndef FANOUT_COORDINATOR_RESULTS_VIEW_H_
#define FANOUT_COORDINATOR_RESULTS_VIEW_H_

#include "proto/fanout.pb.h"
#include "proto/job_service.pb.h"

namespace fanout::coordinator {

void AppendItemResults(const v1::Task& task, v1::GetResultsResponse* out);

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_RESULTS_VIEW_H_
