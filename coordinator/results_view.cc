#include "coordinator/results_view.h"

namespace fanout::coordinator {

void AppendItemResults(const v1::Task& task, v1::GetResultsResponse* out) {
  const bool succeeded = task.state() == v1::TASK_SUCCEEDED;
  const bool has_error = task.state() == v1::TASK_FAILED || task.state() == v1::TASK_DEAD ||
                         task.state() == v1::TASK_CANCELLED;
  for (int i = 0; i < task.items_size(); ++i) {
    v1::ItemResult* r = out->add_results();
    r->set_item(task.items(i));
    r->set_state(task.state());
    r->set_task_index(task.index());
    r->set_attempts(task.attempt());
    if (succeeded && i < task.results_size()) r->set_result(task.results(i));
    if (has_error) *r->mutable_error() = task.error();
  }
}

}  // namespace fanout::coordinator
