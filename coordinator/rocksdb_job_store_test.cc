#include "coordinator/rocksdb_job_store.h"

#include <cstdlib>
#include <filesystem>
#include <thread>

#include "coordinator/job_store_conformance.h"
#include "coordinator/splitter.h"
#include "gtest/gtest.h"

namespace fanout::coordinator {
namespace {

std::string FreshDir() {
  static int n = 0;
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string dir = std::string(tmp ? tmp : "/tmp") + "/rocks" + std::to_string(++n);
  std::filesystem::remove_all(dir);
  return dir;
}

class RocksDbHarness : public StoreHarness {
 public:
  RocksDbHarness(Clock& clock, RetryPolicy policy)
      : clock_(clock), policy_(std::move(policy)), dir_(FreshDir()) {
    // No lease grace: the tests decide exactly when leases expire.
    options_.path = dir_;
    options_.lease_grace = absl::ZeroDuration();
    Open();
  }
  JobStore& store() override { return *store_; }
  bool Reopen() override {
    store_.reset();
    Open();
    return true;
  }

 private:
  void Open() {
    absl::StatusOr<std::unique_ptr<RocksDbJobStore>> store =
        RocksDbJobStore::Open(options_, clock_, policy_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
  }

  Clock& clock_;
  RetryPolicy policy_;
  std::string dir_;
  RocksDbJobStore::Options options_;
  std::unique_ptr<RocksDbJobStore> store_;
};

std::unique_ptr<StoreHarness> MakeHarness(Clock& clock, RetryPolicy policy) {
  return std::make_unique<RocksDbHarness>(clock, std::move(policy));
}

INSTANTIATE_TEST_SUITE_P(RocksDb, JobStoreConformanceTest, ::testing::Values(&MakeHarness));

TEST(RocksDbJobStoreTest, ConcurrentVerbsShareDiskSyncs) {
  FakeClock clock;
  RocksDbJobStore::Options options;
  options.path = FreshDir();
  auto store = RocksDbJobStore::Open(options, clock, RetryPolicy([] { return 0.5; }));
  ASSERT_TRUE(store.ok()) << store.status();
  v1::JobSpec spec;
  spec.set_function("builtin:noop");
  spec.set_source("[1]");
  constexpr int kThreads = 8;
  constexpr int kJobsEach = 50;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kJobsEach; ++i)
        ASSERT_TRUE((*store)->SubmitJob(spec, *MakeSplitter("[1]", 1)).ok());
    });
  }
  for (std::thread& t : threads) t.join();
  GroupCommitter::Stats stats = (*store)->commit_stats();
  EXPECT_EQ(stats.batches, kThreads * kJobsEach);
  EXPECT_LT(stats.syncs, stats.batches) << "every transition paid its own fsync";
}

TEST(RocksDbJobStoreTest, SecondOpenOfTheSameDirectoryIsRefused) {
  FakeClock clock;
  RocksDbJobStore::Options options;
  options.path = FreshDir();
  auto first = RocksDbJobStore::Open(options, clock, RetryPolicy::Random());
  ASSERT_TRUE(first.ok());
  auto second = RocksDbJobStore::Open(options, clock, RetryPolicy::Random());
  EXPECT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("open RocksDB"), absl::string_view::npos);
}

}  // namespace
}  // namespace fanout::coordinator
