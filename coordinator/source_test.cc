#include "coordinator/source.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fanout::coordinator {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(SourceTest, RangeIncludesBothEnds) {
  absl::StatusOr<TaskInputs> tasks = SplitSource("range:0-9", 1);
  ASSERT_TRUE(tasks.ok()) << tasks.status();
  ASSERT_EQ(tasks->size(), 10);
  EXPECT_THAT((*tasks)[9], ElementsAre("9"));
}

TEST(SourceTest, RangeIsBatched) {
  TaskInputs tasks = *SplitSource("range:1-5", 2);
  ASSERT_EQ(tasks.size(), 3);
  EXPECT_THAT(tasks[0], ElementsAre("1", "2"));
  EXPECT_THAT(tasks[2], ElementsAre("5"));
}

TEST(SourceTest, NegativeRange) {
  TaskInputs tasks = *SplitSource("range:-2-1", 10);
  EXPECT_THAT(tasks[0], ElementsAre("-2", "-1", "0", "1"));
}

TEST(SourceTest, InlineListKeepsEachElementAsJson) {
  TaskInputs tasks = *SplitSource(R"([1, "a b", {"ms": 5}, [2]])", 1);
  ASSERT_EQ(tasks.size(), 4);
  EXPECT_EQ(tasks[1][0], "\"a b\"");
  EXPECT_EQ(tasks[2][0], R"({"ms":5})");
}

TEST(SourceTest, MalformedSpecsNameTheSourceField) {
  for (const char* spec : {"", "range:5", "range:a-b", "range:9-1", "[1, 2", "{\"a\": 1}",
                           "s4://bucket", "range:0-99999999999"}) {
    absl::StatusOr<TaskInputs> tasks = SplitSource(spec, 1);
    EXPECT_EQ(tasks.status().code(), absl::StatusCode::kInvalidArgument) << spec;
    EXPECT_THAT(tasks.status().message(), HasSubstr("source:")) << spec;
  }
}

}  // namespace
}  // namespace fanout::coordinator
