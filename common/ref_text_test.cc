#include "common/ref_text.h"

#include "gtest/gtest.h"

namespace fanout {
namespace {

// A worker logged whole refs, lease token included, at every cancel.
TEST(RefTextTest, NamesTheLeaseWithoutItsToken) {
  v1::TaskRef ref;
  ref.set_job_id("job-7");
  ref.set_index(3);
  ref.set_epoch(2);
  ref.set_lease_token("SECRET-TOKEN");
  EXPECT_EQ(RefText(ref), "job-7 task 3 epoch 2");
}

}  // namespace
}  // namespace fanout
