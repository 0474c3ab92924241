#include "coordinator/results_view.h"

#include "gtest/gtest.h"

namespace fanout::coordinator {
namespace {

TEST(ResultsViewTest, ABatchedTasksErrorIsTheFailingItemsAndTheOthersSayWhy) {
  v1::Task task;
  task.set_index(4);
  task.set_state(v1::TASK_DEAD);
  for (const char* item : {"\"a\"", "\"b\"", "\"c\""}) task.add_items(item);
  task.mutable_error()->set_message("item 1: boom");
  v1::GetResultsResponse out;
  AppendItemResults(task, &out);
  ASSERT_EQ(out.results_size(), 3);
  EXPECT_EQ(out.results(1).error().message(), "boom");
  EXPECT_EQ(out.results(0).error().message(), "not done: item 1 of its task (task 4) failed: boom");
  EXPECT_EQ(out.results(2).error().message(), "not done: item 1 of its task (task 4) failed: boom");
  // One item per task: the error as it is.
  v1::Task single = task;
  single.clear_items();
  single.add_items("\"a\"");
  single.mutable_error()->set_message("item: expected {\"n\": N}");
  out.Clear();
  AppendItemResults(single, &out);
  EXPECT_EQ(out.results(0).error().message(), "item: expected {\"n\": N}");
}

}  // namespace
}  // namespace fanout::coordinator
