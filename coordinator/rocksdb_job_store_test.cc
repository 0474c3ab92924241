#include "coordinator/rocksdb_job_store.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "absl/strings/str_cat.h"
#include "coordinator/failing_file_system.h"
#include "coordinator/job_store_builders.h"
#include "coordinator/job_store_conformance.h"
#include "coordinator/splitter.h"
#include "coordinator/store_keys.h"
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

TEST(RocksDbJobStoreTest, JobsSubmittedTogetherShareOneDiskSync) {
  FakeClock clock;
  RocksDbJobStore::Options options;
  options.path = FreshDir();
  auto store = RocksDbJobStore::Open(options, clock, RetryPolicy([] { return 0.5; }));
  ASSERT_TRUE(store.ok()) << store.status();
  const GroupCommitter::Stats before = (*store)->commit_stats();
  constexpr int kJobs = 200;
  std::vector<SubmitRequest> requests;
  for (int i = 0; i < kJobs; ++i) {
    SubmitRequest request{v1::JobSpec(), *MakeSplitter("[1]", 1)};
    request.spec.set_function("builtin:noop");
    request.spec.set_source("[1]");
    request.spec.set_idempotency_key("event-" + std::to_string(i));
    requests.push_back(std::move(request));
  }
  std::vector<absl::StatusOr<SubmitOutcome>> answers = (*store)->SubmitJobs(std::move(requests));
  ASSERT_EQ(answers.size(), kJobs);
  for (const auto& answer : answers) ASSERT_TRUE(answer.ok() && answer->created);
  const GroupCommitter::Stats after = (*store)->commit_stats();
  EXPECT_EQ(after.syncs - before.syncs, 1u) << "a sync per job, not one for the call";
  EXPECT_EQ(after.batches - before.batches, 1u);
}

TEST(RocksDbJobStoreTest, FailedDiskWriteIsRefusedClearlyAndLosesNothingAcknowledged) {
  FakeClock clock;
  auto fs = std::make_shared<FailingFileSystem>(rocksdb::FileSystem::Default());
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
  RocksDbJobStore::Options options;
  options.path = FreshDir();
  options.env = env.get();
  auto store = RocksDbJobStore::Open(options, clock, RetryPolicy::Random());
  ASSERT_TRUE(store.ok()) << store.status();
  v1::JobSpec spec;
  spec.set_function("builtin:noop");
  spec.set_source("range:1-3");
  absl::StatusOr<SubmitOutcome> kept = (*store)->SubmitJob(spec, *MakeSplitter("range:1-3", 1));
  ASSERT_TRUE(kept.ok());
  ASSERT_EQ((*store)->LeaseTasks("w", 1, absl::Seconds(10))->tasks.size(), 1);

  fs->fail = true;
  absl::StatusOr<SubmitOutcome> lost = (*store)->SubmitJob(spec, *MakeSplitter("range:1-3", 1));
  EXPECT_EQ(lost.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(lost.status().message().find("write to disk failed"), absl::string_view::npos)
      << lost.status();
  EXPECT_NE(lost.status().message().find("no space"), absl::string_view::npos) << lost.status();
  fs->fail = false;
  // Memory is now ahead of the disk: the store refuses work until a restart reloads it.
  EXPECT_EQ((*store)->LeaseTasks("w", 1, absl::Seconds(10)).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_FALSE((*store)->health().ok());
  // Reads too: what memory holds may not be on disk.
  EXPECT_EQ((*store)->GetJob(kept->job.job_id()).status().code(), absl::StatusCode::kUnavailable);

  store->reset();
  store = RocksDbJobStore::Open(options, clock, RetryPolicy::Random());
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_TRUE((*store)->health().ok());
  EXPECT_EQ((*store)->GetJob(kept->job.job_id())->counts().running(), 1);
  EXPECT_EQ((*store)->ListJobs(0, 10).size(), 1) << "the refused submission left nothing behind";
}

TEST(RocksDbJobStoreTest, AJobsSpecIsWrittenOnceNotWithEveryTransition) {
  FakeClock clock;
  RocksDbJobStore::Options options;
  options.path = FreshDir();
  auto store = RocksDbJobStore::Open(options, clock, RetryPolicy::Random());
  ASSERT_TRUE(store.ok());
  // A 1 MB inline source: 1,000 items of 1 KB.
  std::string source = "[";
  for (int i = 0; i < 1000; ++i) {
    absl::StrAppend(&source, i ? "," : "", "\"", std::string(1000, 'a' + i % 26), "\"");
  }
  source += "]";
  v1::JobSpec spec;
  spec.set_function("builtin:noop");
  spec.set_source(source);
  ASSERT_TRUE((*store)->SubmitJob(spec, *MakeSplitter(source, 1)).ok());
  const uint64_t after_submit = (*store)->commit_stats().bytes;
  for (int i = 0; i < 20; ++i) ASSERT_TRUE((*store)->LeaseTasks("w", 1, absl::Seconds(10)).ok());
  const uint64_t per_lease = ((*store)->commit_stats().bytes - after_submit) / 20;
  EXPECT_LT(per_lease, 5000) << "each lease rewrote the spec";
  store->reset();
  store = RocksDbJobStore::Open(options, clock, RetryPolicy::Random());
  ASSERT_TRUE(store.ok());
  EXPECT_EQ((*store)->GetJob("job-1")->spec().source(), source);
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

TEST(RocksDbJobStoreTest, LeasesFoundAtStartGetTheirGraceFromWhenServingStarts) {
  FakeClock clock;
  RocksDbJobStore::Options options;
  options.path = FreshDir();
  options.lease_grace = absl::Seconds(10);
  auto store = RocksDbJobStore::Open(options, clock, RetryPolicy::Random());
  ASSERT_TRUE(store.ok());
  v1::JobSpec spec;
  spec.set_function("builtin:noop");
  spec.set_source("range:1-1");
  ASSERT_TRUE((*store)->SubmitJob(spec, *MakeSplitter("range:1-1", 1)).ok());
  ASSERT_EQ((*store)->LeaseTasks("w", 1, absl::Seconds(10))->tasks.size(), 1);
  store->reset();
  clock.Advance(absl::Seconds(1));
  store = RocksDbJobStore::Open(options, clock, RetryPolicy::Random());
  ASSERT_TRUE(store.ok());
  clock.Advance(absl::Seconds(30));  // a slow start: loading took 30 s
  (*store)->StartServing();
  clock.Advance(absl::Seconds(9));
  EXPECT_EQ(*(*store)->ExpireLeases(), 0) << "the lease expired before its worker could renew";
  clock.Advance(absl::Seconds(2));
  EXPECT_EQ(*(*store)->ExpireLeases(), 1);
}

TEST(RocksDbJobStoreTest, ATaskRecordThatDoesNotParseSpoilsOnlyItsOwnReport) {
  FakeClock clock;
  RocksDbJobStore::Options options;
  options.path = FreshDir();
  std::vector<v1::LeasedTask> leased;
  {
    auto store = RocksDbJobStore::Open(options, clock, RetryPolicy::Random());
    ASSERT_TRUE(store.ok());
    for (int i = 0; i < 2; ++i) {
      ASSERT_TRUE((*store)->SubmitJob(builders::Spec(), *MakeSplitter("range:1-1", 1)).ok());
    }
    leased = (*store)->LeaseTasks("w", 2, absl::Seconds(10))->tasks;
    ASSERT_EQ(leased.size(), 2u);
    google::protobuf::RepeatedPtrField<v1::TaskOutcome> done;
    for (const v1::LeasedTask& t : leased) *done.Add() = builders::Success(t);
    ASSERT_TRUE((*store)->ReportOutcomes(done).ok());
  }
  {  // The first job's task record is damaged on disk.
    std::vector<std::string> names;
    ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), options.path, &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const std::string& name : names)
      families.emplace_back(name, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(
        rocksdb::DB::Open(rocksdb::DBOptions(), options.path, families, &handles, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    const size_t tasks = std::find(names.begin(), names.end(), "tasks") - names.begin();
    ASSERT_LT(tasks, names.size());
    ASSERT_TRUE(
        db->Put(rocksdb::WriteOptions(), handles[tasks], EncodeTaskKey({1, 0}), "\xff\xff\xff")
            .ok());
    for (rocksdb::ColumnFamilyHandle* h : handles) db->DestroyColumnFamilyHandle(h);
  }
  auto store = RocksDbJobStore::Open(options, clock, RetryPolicy::Random());
  ASSERT_TRUE(store.ok()) << store.status();
  // Both reports come late (a retry after a lost reply): each is judged from its record.
  google::protobuf::RepeatedPtrField<v1::TaskOutcome> again;
  for (const v1::LeasedTask& t : leased) *again.Add() = builders::Success(t);
  absl::StatusOr<std::vector<ReportVerdict>> verdicts = (*store)->ReportOutcomes(again);
  ASSERT_TRUE(verdicts.ok()) << verdicts.status();
  ASSERT_EQ(verdicts->size(), 2u);
  EXPECT_EQ((*verdicts)[leased[0].ref().job_id() == "job-1" ? 0 : 1], ReportVerdict::kUnknown);
  EXPECT_EQ((*verdicts)[leased[0].ref().job_id() == "job-1" ? 1 : 0], ReportVerdict::kDuplicate);
}

}  // namespace
}  // namespace fanout::coordinator
