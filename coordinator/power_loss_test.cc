// What was acknowledged survives a power loss — not only a SIGKILL, which leaves the page cache
// to finish the writes. Real RocksDB on a PowerLossFileSystem: while threads submit jobs, lease
// tasks, commit checkpoints and report results, the power is cut at a random moment (every byte
// not yet synced is dropped, files not made durable by a directory sync disappear); the store is
// opened again and everything that was acknowledged must be there. The same run with the WAL sync
// turned off must lose acknowledged work: that is how we know the test can fail.
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "coordinator/job_store_builders.h"
#include "coordinator/power_loss_file_system.h"
#include "coordinator/rocksdb_job_store.h"
#include "coordinator/splitter.h"
#include "gtest/gtest.h"

namespace fanout::coordinator {
namespace {

using builders::Cp;
using builders::kTtl;
using builders::Spec;
using builders::Success;

std::string FreshDir(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string dir = std::string(tmp ? tmp : "/tmp") + "/" + name;
  std::filesystem::remove_all(dir);
  return dir;
}

// What the store told its callers it had made durable.
struct Acknowledged {
  absl::Mutex mu;
  std::vector<std::string> jobs ABSL_GUARDED_BY(mu);
  // job id/index -> epoch, cursor of the last acknowledged checkpoint
  std::map<std::pair<std::string, uint64_t>, std::pair<uint64_t, std::string>> checkpoints
      ABSL_GUARDED_BY(mu);
  std::map<std::pair<std::string, uint64_t>, uint64_t> results ABSL_GUARDED_BY(mu);  // -> epoch
};

// Submits jobs of 40 items, with a 4 KB parameter so that memtables fill and flush too.
void Submitter(JobStore& store, Acknowledged& acked, const std::atomic<bool>& stop) {
  v1::JobSpec spec = Spec();
  spec.set_source("range:1-40");
  spec.set_params_json(absl::StrCat(R"({"pad": ")", std::string(4096, 'p'), R"("})"));
  while (!stop) {
    absl::StatusOr<SubmitOutcome> out = store.SubmitJob(spec, *MakeSplitter(spec.source(), 1));
    if (!out.ok()) return;  // the power is gone
    absl::MutexLock lock(&acked.mu);
    acked.jobs.push_back(out->job.job_id());
  }
}

// Leases tasks, checkpoints them once, then reports success.
void Worker(JobStore& store, Acknowledged& acked, const std::atomic<bool>& stop, int id) {
  while (!stop) {
    absl::StatusOr<LeaseGrant> grant = store.LeaseTasks(absl::StrCat("w", id), 20, kTtl);
    if (!grant.ok()) return;
    google::protobuf::RepeatedPtrField<v1::CheckpointEntry> cps;
    for (const v1::LeasedTask& t : grant->tasks) *cps.Add() = Cp(t, "cursor-" + t.items(0), 0.5);
    absl::StatusOr<std::vector<v1::LeaseStatus>> cp = store.Checkpoint(cps, kTtl);
    if (!cp.ok()) return;
    {
      absl::MutexLock lock(&acked.mu);
      for (int i = 0; i < cps.size(); ++i) {
        if ((*cp)[i] != v1::LEASE_OK) continue;
        const v1::TaskRef& r = cps[i].ref();
        acked.checkpoints[{r.job_id(), r.index()}] = {r.epoch(), cps[i].cursor()};
      }
    }
    google::protobuf::RepeatedPtrField<v1::TaskOutcome> outcomes;
    for (const v1::LeasedTask& t : grant->tasks) *outcomes.Add() = Success(t);
    absl::StatusOr<std::vector<ReportVerdict>> verdicts = store.ReportOutcomes(outcomes);
    if (!verdicts.ok()) return;
    absl::MutexLock lock(&acked.mu);
    for (int i = 0; i < outcomes.size(); ++i) {
      if ((*verdicts)[i] != ReportVerdict::kAccepted) continue;
      const v1::TaskRef& r = outcomes[i].ref();
      acked.results[{r.job_id(), r.index()}] = r.epoch();
    }
  }
}

// Runs the load, cuts the power after `run`, reopens, and returns what was acknowledged and then
// not found (one line each).
std::vector<std::string> LostAfterPowerCut(bool sync, absl::Duration run, uint32_t seed) {
  const std::string dir = FreshDir(absl::StrCat("power", sync, "-", seed));
  auto fs = std::make_shared<PowerLossFileSystem>(rocksdb::FileSystem::Default());
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
  FakeClock clock;
  RocksDbJobStore::Options options;
  options.path = dir;
  options.sync = sync;
  options.env = env.get();
  auto store = RocksDbJobStore::Open(options, clock, RetryPolicy::Random());
  EXPECT_TRUE(store.ok()) << store.status();
  if (!store.ok()) return {"could not open"};
  Acknowledged acked;
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  threads.emplace_back([&] { Submitter(**store, acked, stop); });
  for (int i = 0; i < 3; ++i) threads.emplace_back([&, i] { Worker(**store, acked, stop, i); });
  absl::SleepFor(run);
  EXPECT_TRUE(fs->PowerCut().ok());  // from here every write goes nowhere
  stop = true;
  for (std::thread& t : threads) t.join();
  store->reset();  // its last writes are dropped too

  options.env = nullptr;  // the machine is back: the real disk, as the cut left it
  store = RocksDbJobStore::Open(options, clock, RetryPolicy::Random());
  EXPECT_TRUE(store.ok()) << store.status();
  if (!store.ok()) return {"could not reopen: " + std::string(store.status().message())};
  std::vector<std::string> lost;
  absl::MutexLock lock(&acked.mu);
  EXPECT_GT(acked.jobs.size(), 5u) << "the load never got going";
  EXPECT_GT(acked.results.size(), 20u);
  for (const std::string& id : acked.jobs) {
    if (!(*store)->GetJob(id).ok()) lost.push_back("job " + id);
  }
  for (const auto& [key, epoch] : acked.results) {
    absl::StatusOr<std::vector<v1::Task>> t = (*store)->ListTasks(key.first, key.second, 1);
    if (!t.ok() || t->empty() || (*t)[0].state() != v1::TASK_SUCCEEDED ||
        (*t)[0].epoch() != epoch) {
      lost.push_back(absl::StrCat("result of ", key.first, "/", key.second));
    }
  }
  for (const auto& [key, cp] : acked.checkpoints) {
    absl::StatusOr<std::vector<v1::Task>> t = (*store)->ListTasks(key.first, key.second, 1);
    const bool kept = t.ok() && !t->empty() &&
                      ((*t)[0].checkpoint() == cp.second || (*t)[0].state() == v1::TASK_SUCCEEDED);
    if (!kept) lost.push_back(absl::StrCat("checkpoint of ", key.first, "/", key.second));
  }
  return lost;
}

TEST(PowerLossTest, NothingAcknowledgedIsLost) {
  const uint32_t seed = std::random_device()();
  std::cout << "power-loss seed " << seed << "\n";
  std::mt19937 random(seed);
  for (int round = 0; round < 3; ++round) {
    const absl::Duration run = absl::Milliseconds(std::uniform_int_distribution(100, 700)(random));
    std::vector<std::string> lost = LostAfterPowerCut(/*sync=*/true, run, seed + round);
    EXPECT_TRUE(lost.empty()) << lost.size() << " acknowledged writes lost, first: " << lost[0];
  }
}

TEST(PowerLossTest, WithTheWalSyncOffAcknowledgedWritesAreLost) {
  // The mutation the test above must catch: acknowledging before the WAL is synced.
  std::vector<std::string> lost = LostAfterPowerCut(/*sync=*/false, absl::Milliseconds(400), 1);
  EXPECT_FALSE(lost.empty()) << "the power cut lost nothing: the test could not fail";
  std::cout << "with the sync off: " << lost.size() << " acknowledged writes lost\n";
}

TEST(PowerLossFileSystemTest, ACutKeepsWhatWasSyncedAndNothingElse) {
  const std::string dir = FreshDir("fs");
  std::filesystem::create_directories(dir);
  PowerLossFileSystem fs(rocksdb::FileSystem::Default());
  const rocksdb::IOOptions io;
  std::unique_ptr<rocksdb::FSDirectory> d;
  ASSERT_TRUE(fs.NewDirectory(dir, io, &d, nullptr).ok());
  std::unique_ptr<rocksdb::FSWritableFile> durable, torn, nameless;
  ASSERT_TRUE(fs.NewWritableFile(dir + "/durable", {}, &durable, nullptr).ok());
  ASSERT_TRUE(fs.NewWritableFile(dir + "/torn", {}, &torn, nullptr).ok());
  ASSERT_TRUE(durable->Append("synced", io, nullptr).ok());
  ASSERT_TRUE(durable->Sync(io, nullptr).ok());
  ASSERT_TRUE(torn->Append("kept", io, nullptr).ok());
  ASSERT_TRUE(torn->Sync(io, nullptr).ok());
  ASSERT_TRUE(d->Fsync(io, nullptr).ok());  // both names are durable now
  ASSERT_TRUE(torn->Append(" and lost", io, nullptr).ok());
  ASSERT_TRUE(fs.NewWritableFile(dir + "/nameless", {}, &nameless, nullptr).ok());
  ASSERT_TRUE(nameless->Append("x", io, nullptr).ok());
  ASSERT_TRUE(nameless->Sync(io, nullptr).ok());  // its data, but not its name
  EXPECT_EQ(fs.unsynced_bytes(), 9u);
  ASSERT_TRUE(fs.PowerCut().ok());
  EXPECT_FALSE(durable->Append("more", io, nullptr).ok()) << "nothing is written after the cut";
  EXPECT_EQ(std::filesystem::file_size(dir + "/durable"), 6u);
  EXPECT_EQ(std::filesystem::file_size(dir + "/torn"), 4u);
  EXPECT_FALSE(std::filesystem::exists(dir + "/nameless"));
}

}  // namespace
}  // namespace fanout::coordinator
