#include "coordinator/results_view.h"

#include <optional>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace fanout::coordinator {
namespace {

// A batched task's error names the item that failed ("item 3: ..."): which, and the rest.
std::optional<int> FailedItem(absl::string_view message, absl::string_view* rest) {
  absl::string_view m = message;
  if (!absl::ConsumePrefix(&m, "item ")) return std::nullopt;
  const size_t colon = m.find(": ");
  int index = 0;
  if (colon == absl::string_view::npos || !absl::SimpleAtoi(m.substr(0, colon), &index)) {
    return std::nullopt;
  }
  *rest = m.substr(colon + 2);
  return index;
}

// Item `i`'s share of its task's error: the failing item gets the error itself; the others are
// told that they failed with it (a task succeeds or fails as a whole), not handed the same
// "item 0: ..." as if each were item 0.
v1::TaskError ItemError(const v1::Task& task, int i) {
  v1::TaskError error = task.error();
  absl::string_view rest;
  const std::optional<int> failed =
      task.items_size() > 1 ? FailedItem(task.error().message(), &rest) : std::nullopt;
  if (!failed) return error;
  error.set_message(*failed == i ? std::string(rest)
                                 : absl::StrCat("not done: item ", *failed, " of its task (task ",
                                                task.index(), ") failed: ", rest));
  return error;
}

}  // namespace

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
    if (has_error) *r->mutable_error() = ItemError(task, i);
  }
}

}  // namespace fanout::coordinator
