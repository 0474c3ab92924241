#include "worker/lease_book.h"

#include "gtest/gtest.h"

namespace fanout::worker {
namespace {

v1::TaskRef Ref(uint64_t index, uint64_t epoch) {
  v1::TaskRef r;
  r.set_job_id("job-1");
  r.set_index(index);
  r.set_epoch(epoch);
  return r;
}

TEST(LeaseBookTest, CancelFlipsTheFlagOfThatLeaseOnly) {
  LeaseBook book;
  LeaseHandle a = book.Add(Ref(1, 1));
  LeaseHandle b = book.Add(Ref(2, 1));
  EXPECT_TRUE(book.Cancel(Ref(1, 1)));
  EXPECT_TRUE(a->cancelled.load());
  EXPECT_FALSE(b->cancelled.load());
  EXPECT_FALSE(book.Cancel(Ref(1, 7)));  // another epoch is another lease
}

TEST(LeaseBookTest, RemovingAnOlderEpochKeepsTheNewerLease) {
  LeaseBook book;
  book.Add(Ref(1, 1));
  book.Add(Ref(1, 2));
  book.Remove(Ref(1, 1));
  ASSERT_EQ(book.size(), 1);
  EXPECT_EQ(book.Refs()[0].epoch(), 2);
  book.Remove(Ref(1, 2));
  EXPECT_EQ(book.size(), 0);
}

TEST(LeaseBookTest, ANewerLeaseOfTheSameTaskCancelsTheOlder) {
  LeaseBook book;
  LeaseHandle old_lease = book.Add(Ref(1, 1));
  LeaseHandle new_lease = book.Add(Ref(1, 2));
  EXPECT_TRUE(old_lease->cancelled.load());
  EXPECT_FALSE(new_lease->cancelled.load());
}

TEST(LeaseBookTest, RunningRefsAreThoseMarkedRunning) {
  LeaseBook book;
  book.Add(Ref(1, 1));
  LeaseHandle running = book.Add(Ref(2, 1));
  running->running = true;
  std::vector<LeaseBook::Held> refs = book.Snapshot(/*running_only=*/true);
  ASSERT_EQ(refs.size(), 1);
  EXPECT_EQ(refs[0].ref.index(), 2);
}

}  // namespace
}  // namespace fanout::worker
