#include "coordinator/rocksdb_job_store.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/proto_time.h"
#include "common/status_macros.h"
#include "coordinator/rocksdb_glue.h"
#include "coordinator/store_keys.h"
#include "glog/logging.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/options.h"
#include "rocksdb/slice.h"
#include "rocksdb/slice_transform.h"
#include "rocksdb/table.h"
#include "rocksdb/utilities/table_properties_collectors.h"

namespace fanout::coordinator {
namespace {

std::vector<rocksdb::ColumnFamilyDescriptor> Families() {
  rocksdb::ColumnFamilyOptions base;
  base.OptimizeLevelStyleCompaction(64 << 20);
  // Retention deletes records by the million: files heavy with tombstones are compacted soon, so
  // that walks over what is left (the jobs to load at start, the ended jobs) stay short.
  base.table_properties_collector_factories.push_back(
      rocksdb::NewCompactOnDeletionCollectorFactory(10000, 5000));
  // Task keys start with their job's sequence number, and each write batch inserts them in order:
  // a per-job insert hint lets the memtable continue where the previous insert of that job ended.
  rocksdb::ColumnFamilyOptions tasks = base;
  tasks.memtable_insert_with_hint_prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(8));
  // Most key lookups are for keys never seen (every new event): a Bloom filter answers them
  // without reading blocks.
  rocksdb::ColumnFamilyOptions keys = base;
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  keys.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return {{rocksdb::kDefaultColumnFamilyName, base},
          {"jobs", base},
          {"tasks", tasks},
          {"idempotency", keys},
          {"specs", base},
          {"active", base},
          {"ended", base}};
}

}  // namespace

RocksDbJobStore::RocksDbJobStore(Clock& clock, RetryPolicy policy)
    : TableBackedJobStore(clock, std::move(policy)) {}

RocksDbJobStore::~RocksDbJobStore() {
  committer_.reset();  // drains the open batch
  // A clean stop leaves nothing in the log to replay: the next start opens at once.
  if (db_ != nullptr && health().ok()) db_->Flush(rocksdb::FlushOptions(), handles_);
  for (rocksdb::ColumnFamilyHandle* h : handles_) db_->DestroyColumnFamilyHandle(h);
}

absl::StatusOr<std::unique_ptr<RocksDbJobStore>> RocksDbJobStore::Open(const Options& options,
                                                                       Clock& clock,
                                                                       RetryPolicy policy) {
  rocksdb::Options db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.IncreaseParallelism(2);
  // Bounds what a restart replays from the log (and so the restart's time).
  db_options.max_total_wal_size = 64 << 20;
  if (options.env != nullptr) db_options.env = options.env;
  std::unique_ptr<RocksDbJobStore> store(new RocksDbJobStore(clock, std::move(policy)));
  rocksdb::DB* db = nullptr;
  RETURN_IF_ERROR(
      FromRocks(rocksdb::DB::Open(db_options, options.path, Families(), &store->handles_, &db),
                absl::StrCat("open RocksDB at ", options.path)));
  store->db_.reset(db);
  store->jobs_cf_ = store->handles_[1];
  store->tasks_cf_ = store->handles_[2];
  store->idempotency_cf_ = store->handles_[3];
  store->specs_cf_ = store->handles_[4];
  store->active_cf_ = store->handles_[5];
  store->ended_cf_ = store->handles_[6];
  store->committer_ = std::make_unique<GroupCommitter>(db, options.sync, options.on_commit);
  store->lease_grace_ = options.lease_grace;
  std::string indexed;
  if (db->Get(rocksdb::ReadOptions(), AsSlice(kIndexedKey), &indexed).IsNotFound()) {
    RETURN_IF_ERROR(store->Migrate());  // a new directory, or one of an earlier version
  }
  RETURN_IF_ERROR(store->Load(options));
  return store;
}

absl::Status RocksDbJobStore::Load(const Options& options) {
  uint64_t ticket = 0;
  {
    absl::MutexLock lock(&mu_);
    RETURN_IF_ERROR(LoadRecords(options.lease_grace));
    RETURN_IF_ERROR(LoadTasksOfRunningJobs(options.lease_grace));
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
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), active_cf_));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const uint64_t seq = ReadBigEndian(View(it->key()));
    absl::StatusOr<std::optional<v1::Job>> job = ReadJob(seq);
    if (job.ok() && !job->has_value()) continue;  // deleted: a stale entry
    if (job.ok()) {
      table_.LoadJob(**std::move(job));
      continue;
    }
    if (job.status().code() != absl::StatusCode::kDataLoss) return job.status();
    // A record that does not parse fails its job, never the start: one bad record must not keep
    // the coordinator (and every other job) down.
    LOG(ERROR) << "job " << seq << ": " << job.status() << "; the job is failed";
    v1::Job failed;
    failed.set_job_id(JobIdFromSeq(seq));
    failed.set_state(v1::JOB_RUNNING);
    table_.LoadJob(std::move(failed));  // FinishLoading fails it, saying why
  }
  return FromRocks(it->status(), "scan active jobs");
}

absl::Status RocksDbJobStore::LoadTasksOfRunningJobs(absl::Duration lease_grace) {
  const absl::Time now = clock_.Now();
  for (const v1::Job* job : table_.ListJobs(0, std::numeric_limits<size_t>::max())) {
    if (job->state() != v1::JOB_RUNNING) continue;
    const uint64_t seq = SeqFromJobId(job->job_id()).value();
    const std::string prefix = EncodeSeq(seq);
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), tasks_cf_));
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      v1::Task task;
      if (!task.ParseFromArray(it->value().data(), it->value().size())) {
        // Skipped: re-derived from the source (or, for a sequential job, never run again).
        LOG(ERROR) << job->job_id() << "/" << DecodeTaskKey(View(it->key())).index
                   << ": the task record does not parse; skipped";
        continue;
      }
      table_.LoadTask(std::move(task), now, lease_grace);
    }
    RETURN_IF_ERROR(FromRocks(it->status(), "scan tasks"));
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
      const std::string key = EncodeSeq(seq);
      // The spec never changes (and an inline source may be megabytes): it is written once, on
      // its own, when the job is created.
      table_.VisitJobWithoutSpec(seq, [&](const v1::Job& job) {
        job.SerializeToString(&value);
        batch->Put(jobs_cf_, key, value);
        if (job.state() == v1::JOB_RUNNING || job.fan_in().state() == v1::FanIn::FAN_IN_PENDING) {
          batch->Put(active_cf_, key, "");
          return;
        }
        batch->Delete(active_cf_, key);
        const uint64_t end = std::max<int64_t>(0, absl::ToUnixMicros(FromProto(job.finished_at())));
        batch->Put(ended_cf_, EncodeEndedKey(kForgetKeys, end, seq), "");
        batch->Put(ended_cf_, EncodeEndedKey(kDeleteJob, end, seq), "");
      });
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

absl::StatusOr<std::optional<v1::Job>> RocksDbJobStore::ReadJob(uint64_t seq) {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), jobs_cf_, EncodeSeq(seq), &value);
  if (s.IsNotFound()) return std::nullopt;
  RETURN_IF_ERROR(FromRocks(s, "read job"));
  v1::Job job;
  if (!job.ParseFromString(value)) {
    return absl::DataLossError(absl::StrCat("the record of job ", seq, " does not parse"));
  }
  s = db_->Get(rocksdb::ReadOptions(), specs_cf_, EncodeSeq(seq), &value);
  if (!s.IsNotFound()) RETURN_IF_ERROR(FromRocks(s, "read spec"));
  // A spec that does not parse leaves the job shown without one, rather than not at all.
  if (s.ok() && !job.mutable_spec()->ParseFromString(value)) job.clear_spec();
  return job;
}

absl::StatusOr<std::vector<v1::Job>> RocksDbJobStore::ReadJobs(uint64_t before_seq, size_t limit) {
  std::vector<uint64_t> seqs;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), jobs_cf_));
  if (before_seq == 0) {
    it->SeekToLast();
  } else {
    it->SeekForPrev(EncodeSeq(before_seq - 1));
  }
  for (; it->Valid() && seqs.size() < limit; it->Prev()) {
    seqs.push_back(ReadBigEndian(View(it->key())));
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "scan jobs"));
  std::vector<v1::Job> out;
  for (uint64_t seq : seqs) {
    absl::StatusOr<std::optional<v1::Job>> job = ReadJob(seq);
    if (!job.ok() || !job->has_value()) continue;  // unreadable, or deleted meanwhile
    out.push_back(**std::move(job));
  }
  return out;
}

absl::StatusOr<std::optional<uint64_t>> RocksDbJobStore::ReadKey(absl::string_view key) {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), idempotency_cf_, AsSlice(key), &value);
  if (s.IsNotFound()) return std::nullopt;
  RETURN_IF_ERROR(FromRocks(s, "read idempotency key"));
  return ReadBigEndian(value);
}

}  // namespace fanout::coordinator
