#include "coordinator/rocksdb_job_store.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "coordinator/store_keys.h"
#include "rocksdb/options.h"
#include "rocksdb/slice.h"
#include "rocksdb/slice_transform.h"

namespace fanout::coordinator {
namespace {

absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  return absl::UnavailableError(absl::StrCat(what, ": ", s.ToString()));
}

rocksdb::Slice AsSlice(absl::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

absl::string_view View(const rocksdb::Slice& s) { return absl::string_view(s.data(), s.size()); }

}  // namespace

RocksDbJobStore::RocksDbJobStore(Clock& clock, RetryPolicy policy)
    : TableBackedJobStore(clock, std::move(policy)) {}

RocksDbJobStore::~RocksDbJobStore() {
  committer_.reset();  // drains the open batch
  for (rocksdb::ColumnFamilyHandle* h : handles_) db_->DestroyColumnFamilyHandle(h);
}

absl::StatusOr<std::unique_ptr<RocksDbJobStore>> RocksDbJobStore::Open(const Options& options,
                                                                       Clock& clock,
                                                                       RetryPolicy policy) {
  rocksdb::Options db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.IncreaseParallelism(2);
  db_options.max_total_wal_size = 256 << 20;
  if (options.env != nullptr) db_options.env = options.env;
  rocksdb::ColumnFamilyOptions cf_options;
  cf_options.OptimizeLevelStyleCompaction(64 << 20);
  // Task keys start with their job's sequence number, and each write batch inserts them in order:
  // a per-job insert hint lets the memtable continue where the previous insert of that job ended.
  rocksdb::ColumnFamilyOptions task_options = cf_options;
  task_options.memtable_insert_with_hint_prefix_extractor.reset(
      rocksdb::NewFixedPrefixTransform(8));
  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, cf_options},
      {"jobs", cf_options},
      {"tasks", task_options},
      {"idempotency", cf_options},
      {"specs", cf_options}};
  std::unique_ptr<RocksDbJobStore> store(new RocksDbJobStore(clock, std::move(policy)));
  rocksdb::DB* db = nullptr;
  RETURN_IF_ERROR(
      FromRocks(rocksdb::DB::Open(db_options, options.path, families, &store->handles_, &db),
                absl::StrCat("open RocksDB at ", options.path)));
  store->db_.reset(db);
  store->jobs_cf_ = store->handles_[1];
  store->tasks_cf_ = store->handles_[2];
  store->idempotency_cf_ = store->handles_[3];
  store->specs_cf_ = store->handles_[4];
  store->committer_ = std::make_unique<GroupCommitter>(db, options.sync, options.on_commit);
  store->lease_grace_ = options.lease_grace;
  RETURN_IF_ERROR(store->Load(options.lease_grace));
  return store;
}

absl::Status RocksDbJobStore::Load(absl::Duration lease_grace) {
  uint64_t ticket = 0;
  {
    absl::MutexLock lock(&mu_);
    RETURN_IF_ERROR(LoadRecords(lease_grace));
    ChangeSet changes;
    table_.FinishLoading(clock_.Now(), &changes);
    ticket = Commit(changes);
  }
  return Durable(ticket);
}

absl::Status RocksDbJobStore::LoadRecords(absl::Duration lease_grace) {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), AsSlice(kNextJobSeqKey), &value);
  if (s.ok()) table_.set_next_job_seq(ReadBigEndian(value));
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), jobs_cf_));
  std::unique_ptr<rocksdb::Iterator> specs(db_->NewIterator(rocksdb::ReadOptions(), specs_cf_));
  specs->SeekToFirst();
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const uint64_t seq = ReadBigEndian(View(it->key()));
    v1::Job job;
    if (!job.ParseFromArray(it->value().data(), it->value().size())) {
      return absl::DataLossError(absl::StrCat("jobs record ", seq, " does not parse"));
    }
    // Both families are keyed by job seq, so one pass pairs each job with its spec.
    while (specs->Valid() && ReadBigEndian(View(specs->key())) < seq) specs->Next();
    if (!specs->Valid() || ReadBigEndian(View(specs->key())) != seq ||
        !job.mutable_spec()->ParseFromArray(specs->value().data(), specs->value().size())) {
      return absl::DataLossError(absl::StrCat("job ", seq, " has no readable spec"));
    }
    table_.LoadJob(std::move(job));
  }
  RETURN_IF_ERROR(FromRocks(specs->status(), "scan specs"));
  RETURN_IF_ERROR(FromRocks(it->status(), "scan jobs"));
  it.reset(db_->NewIterator(rocksdb::ReadOptions(), idempotency_cf_));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    table_.LoadIdempotencyKey(it->key().ToString(), ReadBigEndian(View(it->value())));
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "scan idempotency keys"));
  return LoadTasksOfRunningJobs(lease_grace);
}

absl::Status RocksDbJobStore::LoadTasksOfRunningJobs(absl::Duration lease_grace) {
  const absl::Time now = clock_.Now();
  for (uint64_t before = 0;;) {
    std::vector<const v1::Job*> page = table_.ListJobs(before, 1000);
    if (page.empty()) break;
    for (const v1::Job* job : page) {
      if (job->state() != v1::JOB_RUNNING) continue;
      const uint64_t seq = SeqFromJobId(job->job_id()).value();
      const std::string prefix = EncodeSeq(seq);
      std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), tasks_cf_));
      for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
        v1::Task task;
        if (!task.ParseFromArray(it->value().data(), it->value().size())) {
          return absl::DataLossError(absl::StrCat("task record ", job->job_id(), "/",
                                                  DecodeTaskKey(View(it->key())).index,
                                                  " does not parse"));
        }
        table_.LoadTask(std::move(task), now, lease_grace);
      }
      RETURN_IF_ERROR(FromRocks(it->status(), "scan tasks"));
    }
    before = SeqFromJobId(page.back()->job_id()).value();
  }
  return absl::OkStatus();
}

uint64_t RocksDbJobStore::Persist(const ChangeSet& changes) {
  // Keys in ascending order: the memtable's skip list inserts a sorted run far faster than the
  // hash set's order (each insert starts where the previous one ended).
  std::vector<TaskKey>& tasks = sorted_tasks_;
  tasks.assign(changes.tasks.begin(), changes.tasks.end());
  std::sort(tasks.begin(), tasks.end());
  std::vector<uint64_t>& jobs = sorted_jobs_;
  jobs.assign(changes.jobs.begin(), changes.jobs.end());
  std::sort(jobs.begin(), jobs.end());
  return committer_->Append([&](rocksdb::WriteBatch* batch) ABSL_NO_THREAD_SAFETY_ANALYSIS {
    std::string& value = scratch_;
    for (uint64_t seq : jobs) {
      // The spec never changes (and an inline source may be megabytes): it is written once, on
      // its own, when the job is created.
      table_.VisitJobWithoutSpec(seq, [&](const v1::Job& job) { job.SerializeToString(&value); });
      batch->Put(jobs_cf_, EncodeSeq(seq), value);
    }
    for (uint64_t seq : changes.new_jobs) {
      table_.JobBySeq(seq)->spec().SerializeToString(&value);
      batch->Put(specs_cf_, EncodeSeq(seq), value);
    }
    for (const TaskKey& key : tasks) {
      table_.LiveTask(key)->SerializeToString(&value);
      batch->Put(tasks_cf_, EncodeTaskKey(key), value);
    }
    for (const auto& [key, seq] : changes.idempotency_keys) {
      batch->Put(idempotency_cf_, key, EncodeSeq(seq));
    }
    for (const std::string& key : changes.expired_idempotency_keys) {
      batch->Delete(idempotency_cf_, key);
    }
    if (changes.next_job_seq_changed) {
      batch->Put(AsSlice(kNextJobSeqKey), EncodeSeq(table_.next_job_seq()));
    }
  });
}

absl::Status RocksDbJobStore::AwaitDurable(uint64_t ticket) { return committer_->Await(ticket); }

absl::StatusOr<std::optional<v1::Task>> RocksDbJobStore::ReadTask(TaskKey key) {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), tasks_cf_, EncodeTaskKey(key), &value);
  if (s.IsNotFound()) return std::nullopt;
  RETURN_IF_ERROR(FromRocks(s, "read task"));
  v1::Task task;
  if (!task.ParseFromString(value)) return absl::DataLossError("task record does not parse");
  return task;
}

absl::StatusOr<std::vector<v1::Task>> RocksDbJobStore::ReadTasks(uint64_t job_seq, uint64_t begin,
                                                                 uint64_t end) {
  std::vector<v1::Task> out;
  const std::string limit = EncodeTaskKey({job_seq, end});
  rocksdb::Slice upper(limit);
  rocksdb::ReadOptions options;
  options.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, tasks_cf_));
  for (it->Seek(EncodeTaskKey({job_seq, begin})); it->Valid(); it->Next()) {
    if (!out.emplace_back().ParseFromArray(it->value().data(), it->value().size())) {
      return absl::DataLossError("task record does not parse");
    }
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "scan tasks"));
  return out;
}

}  // namespace fanout::coordinator
