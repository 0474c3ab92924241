// Conformance: per-item idempotency keys (a trigger's batch of events).
#include "coordinator/job_store_builders.h"
#include "coordinator/job_store_conformance.h"
#include "coordinator/splitter.h"

namespace fanout::coordinator {

namespace {

absl::StatusOr<SubmitOutcome> SubmitItems(JobStore& store, const std::string& items,
                                          const std::vector<std::string>& keys) {
  v1::JobSpec spec = builders::Spec();
  spec.set_source(items);
  for (const std::string& key : keys) spec.add_item_keys(key);
  absl::StatusOr<std::unique_ptr<Splitter>> splitter = MakeSplitter(items, 1);
  if (!splitter.ok()) return splitter.status();
  return store.SubmitJob(spec, std::move(*splitter));
}

}  // namespace

TEST_P(JobStoreConformanceTest, ItemsWhoseKeysMadeAJobBeforeAreLeftOut) {
  absl::StatusOr<SubmitOutcome> first = SubmitItems(store(), R"(["a","b"])", {"k-a", "k-b"});
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(first->created);
  EXPECT_EQ(first->job.counts().total(), 2u);
  // "b" redelivered into a later batch with "c" (and "c" twice): only "c" runs, once.
  absl::StatusOr<SubmitOutcome> second =
      SubmitItems(store(), R"(["b","c","c"])", {"k-b", "k-c", "k-c"});
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_TRUE(second->created);
  EXPECT_EQ(second->known_items, 2u);
  EXPECT_EQ(second->job.counts().total(), 1u);
  EXPECT_EQ(second->job.spec().source(), R"(["c"])");
  if (harness_->Reopen()) {
    // Every item known, across a restart: no new job, the first one's is returned.
    absl::StatusOr<SubmitOutcome> third = SubmitItems(store(), R"(["a","c"])", {"k-a", "k-c"});
    ASSERT_TRUE(third.ok()) << third.status();
    EXPECT_FALSE(third->created);
    EXPECT_EQ(third->job.job_id(), first->job.job_id());
    EXPECT_EQ(third->known_items, 2u);
  }
  EXPECT_EQ(store().ListJobs(0, 10).size(), 2u);
}

}  // namespace fanout::coordinator
