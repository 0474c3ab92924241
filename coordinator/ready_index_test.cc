#include "coordinator/ready_index.h"

#include <limits>

#include "gtest/gtest.h"

namespace fanout::coordinator {
namespace {

size_t Unlimited(uint64_t) { return std::numeric_limits<size_t>::max(); }

TEST(ReadyIndexTest, TakesInFifoOrderWithinAJob) {
  ReadyIndex index;
  index.AddJob(1, 0);
  for (uint64_t i = 0; i < 4; ++i) index.PushReady({1, i});
  std::vector<TaskKey> got = index.Take(3, Unlimited);
  ASSERT_EQ(got.size(), 3);
  EXPECT_EQ(got[0].index, 0);
  EXPECT_EQ(got[2].index, 2);
  EXPECT_EQ(index.ready_count(), 1);
}

TEST(ReadyIndexTest, DelayedTasksWaitUntilDue) {
  ReadyIndex index;
  index.AddJob(1, 0);
  const absl::Time t0 = absl::FromUnixSeconds(100);
  index.PushDelayed({1, 7}, t0 + absl::Seconds(5));
  index.PromoteDue(t0);
  EXPECT_TRUE(index.Take(10, Unlimited).empty());
  EXPECT_EQ(index.NextDue(), t0 + absl::Seconds(5));
  index.PromoteDue(t0 + absl::Seconds(5));
  std::vector<TaskKey> got = index.Take(10, Unlimited);
  ASSERT_EQ(got.size(), 1);
  EXPECT_EQ(got[0].index, 7);
}

TEST(ReadyIndexTest, AllowanceCapsAJob) {
  ReadyIndex index;
  index.AddJob(1, 0);
  index.AddJob(2, 0);
  for (uint64_t i = 0; i < 5; ++i) {
    index.PushReady({1, i});
    index.PushReady({2, i});
  }
  std::vector<TaskKey> got =
      index.Take(10, [](uint64_t seq) -> size_t { return seq == 1 ? 1 : 2; });
  EXPECT_EQ(got.size(), 3);
}

TEST(ReadyIndexTest, RemovedJobDropsItsTasks) {
  ReadyIndex index;
  index.AddJob(1, 0);
  index.PushReady({1, 0});
  index.PushDelayed({1, 1}, absl::FromUnixSeconds(1));
  index.RemoveJob(1);
  index.PromoteDue(absl::FromUnixSeconds(2));
  EXPECT_TRUE(index.Take(10, Unlimited).empty());
  EXPECT_EQ(index.ready_count(), 0);
}

}  // namespace
}  // namespace fanout::coordinator
