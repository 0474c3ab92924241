#include "coordinator/ready_index.h"

#include <limits>

#include "gtest/gtest.h"

namespace fanout::coordinator {
namespace {

size_t Unlimited(uint64_t) { return std::numeric_limits<size_t>::max(); }
bool All(TaskKey) { return true; }

TEST(ReadyIndexTest, TakesInFifoOrderWithinAJob) {
  ReadyIndex index;
  index.AddJob(1, 0);
  for (uint64_t i = 0; i < 4; ++i) index.PushReady({1, i});
  std::vector<TaskKey> got = index.Take(3, Unlimited, All);
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
  EXPECT_TRUE(index.Take(10, Unlimited, All).empty());
  EXPECT_EQ(index.NextDue(), t0 + absl::Seconds(5));
  index.PromoteDue(t0 + absl::Seconds(5));
  std::vector<TaskKey> got = index.Take(10, Unlimited, All);
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
  std::vector<TaskKey> got = index.Take(
      10, [](uint64_t seq) -> size_t { return seq == 1 ? 1 : 2; }, All);
  EXPECT_EQ(got.size(), 3);
}

TEST(ReadyIndexTest, RemovedJobDropsItsTasks) {
  ReadyIndex index;
  index.AddJob(1, 0);
  index.PushReady({1, 0});
  index.PushDelayed({1, 1}, absl::FromUnixSeconds(1));
  index.RemoveJob(1);
  index.PromoteDue(absl::FromUnixSeconds(2));
  EXPECT_TRUE(index.Take(10, Unlimited, All).empty());
  EXPECT_EQ(index.ready_count(), 0);
}

TEST(ReadyIndexTest, TheFirstTaskThatDoesNotFitEndsTheBatch) {
  ReadyIndex index;
  index.AddJob(1, 0);
  index.AddJob(2, 0);
  for (uint64_t i = 0; i < 3; ++i) index.PushReady({1, i});
  index.PushReady({2, 0});
  int budget = 2;
  std::vector<TaskKey> got = index.Take(10, Unlimited, [&](TaskKey) { return budget-- > 0; });
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(index.ready_count(), 2u);
  // Job 1 was served, so job 2 goes first next time; then job 1 goes on where it stopped.
  got = index.Take(10, Unlimited, All);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].job_seq, 2u);
  EXPECT_EQ(got[1].job_seq, 1u);
  EXPECT_EQ(got[1].index, 2u);
}

TEST(ReadyIndexTest, EqualPriorityJobsTakeTurnsBatchByBatch) {
  ReadyIndex index;
  for (uint64_t job = 1; job <= 3; ++job) {
    index.AddJob(job, 0);
    for (uint64_t i = 0; i < 4; ++i) index.PushReady({job, i});
  }
  index.AddJob(9, 5);  // higher priority, but capped to nothing
  index.PushReady({9, 0});
  std::vector<uint64_t> order;
  for (int call = 0; call < 6; ++call) {
    for (TaskKey k : index.Take(
             2, [](uint64_t seq) -> size_t { return seq == 9 ? 0 : 1; }, All)) {
      order.push_back(k.job_seq);
    }
  }
  EXPECT_EQ(order, (std::vector<uint64_t>{1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3}));
}

}  // namespace
}  // namespace fanout::coordinator
