#include "coordinator/splitter.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fanout::coordinator {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(SplitterTest, RangeIncludesBothEnds) {
  absl::StatusOr<std::unique_ptr<Splitter>> s = MakeSplitter("range:0-9", 1);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ((*s)->task_count(), 10);
  EXPECT_THAT((*s)->TaskItems(9), ElementsAre("9"));
}

TEST(SplitterTest, RangeIsBatched) {
  std::unique_ptr<Splitter> s = *MakeSplitter("range:1-5", 2);
  EXPECT_EQ(s->task_count(), 3);
  EXPECT_EQ(s->item_count(), 5);
  EXPECT_THAT(s->TaskItems(0), ElementsAre("1", "2"));
  EXPECT_THAT(s->TaskItems(2), ElementsAre("5"));
}

TEST(SplitterTest, NegativeRange) {
  EXPECT_THAT((*MakeSplitter("range:-2-1", 10))->TaskItems(0), ElementsAre("-2", "-1", "0", "1"));
}

TEST(SplitterTest, HugeRangeCostsNothingUpFront) {
  std::unique_ptr<Splitter> s = *MakeSplitter("range:1-10000000000", 1);
  EXPECT_EQ(s->task_count(), 10'000'000'000ull);
  EXPECT_THAT(s->TaskItems(9'999'999'999ull), ElementsAre("10000000000"));
}

TEST(SplitterTest, InlineListKeepsEachElementAsJson) {
  std::unique_ptr<Splitter> s = *MakeSplitter(R"([1, "a b", {"ms": 5}, [2]])", 1);
  ASSERT_EQ(s->task_count(), 4);
  EXPECT_EQ(s->TaskItems(1)[0], "\"a b\"");
  EXPECT_EQ(s->TaskItems(2)[0], R"({"ms":5})");
  EXPECT_EQ((*MakeSplitter("[]", 1))->task_count(), 0);
}

TEST(SplitterTest, MalformedSpecsNameTheSourceField) {
  for (const char* spec : {"", "range:5", "range:a-b", "range:9-1", "[1, 2", "{\"a\": 1}",
                           "s4://bucket", "range:1-99999999999999999999"}) {
    absl::StatusOr<std::unique_ptr<Splitter>> s = MakeSplitter(spec, 1);
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument) << spec;
    EXPECT_THAT(s.status().message(), HasSubstr("source:")) << spec;
  }
}

}  // namespace
}  // namespace fanout::coordinator
