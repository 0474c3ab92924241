// RocksDbJobStore: retention. The ended CF lists ended jobs by end time, once to forget their keys
// and once to delete them; a pass walks it from where the last one stopped up to the cutoff, so it
// costs what it deletes, never the jobs kept. Entries left by a job that was redriven (and ended
// again, or still runs) are stale: checked against the job, then dropped.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/proto_time.h"
#include "common/status_macros.h"
#include "coordinator/rocksdb_glue.h"
#include "coordinator/rocksdb_job_store.h"
#include "coordinator/store_keys.h"
#include "glog/logging.h"

namespace fanout::coordinator {
namespace {

// Work per pass (entries looked at, task records deleted): a pass holds no lock while it reads,
// and writes its deletes in one batch.
constexpr size_t kEntriesPerPass = 2000;
constexpr size_t kTasksPerPass = 20000;
// Entries are written when a job's end is recorded, which a slow fan-in may do after a pass went
// past its end time: now and then a pass starts from the beginning again.
constexpr absl::Duration kRewalkEvery = absl::Hours(1);

uint64_t Micros(absl::Time t) { return std::max<int64_t>(0, absl::ToUnixMicros(t)); }

}  // namespace

absl::StatusOr<std::vector<RocksDbJobStore::EndedEntry>> RocksDbJobStore::Ended(char kind,
                                                                                absl::Time before,
                                                                                size_t max) {
  const std::string& from = kind == kForgetKeys ? forget_from_ : delete_from_;
  const std::string limit = EncodeEndedKey(kind, Micros(before), 0);
  rocksdb::Slice upper(limit);
  rocksdb::ReadOptions options;
  options.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, ended_cf_));
  std::vector<EndedEntry> out;
  for (it->Seek(from.empty() ? std::string(1, kind) : from); it->Valid() && out.size() < max;
       it->Next()) {
    const absl::string_view key = View(it->key());
    out.push_back(
        {std::string(key), ReadBigEndian(key.substr(1, 8)), ReadBigEndian(key.substr(9))});
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "scan ended jobs"));
  return out;
}

absl::StatusOr<RocksDbJobStore::Standing> RocksDbJobStore::Current(const EndedEntry& entry,
                                                                   std::optional<v1::Job>* job) {
  {
    absl::MutexLock lock(&mu_);
    if (table_.JobBySeq(entry.seq) != nullptr) return Standing::kStale;  // redriven: in memory
  }
  absl::StatusOr<std::optional<v1::Job>> read = ReadJob(entry.seq);
  // One unreadable record must not stop retention for every job after it: it goes too.
  if (read.status().code() == absl::StatusCode::kDataLoss) return Standing::kGone;
  if (!read.ok()) return read.status();
  *job = *std::move(read);
  if (!job->has_value()) return Standing::kGone;  // deleted, maybe tasks left
  const bool current = (*job)->state() != v1::JOB_RUNNING &&
                       Micros(FromProto((*job)->finished_at())) == entry.end_micros;
  return current ? Standing::kCurrent : Standing::kStale;
}

absl::Status RocksDbJobStore::ForgetKeys(const v1::Job& job, uint64_t seq, Deletes* deletes) {
  std::vector<std::string> keys(job.spec().item_keys().begin(), job.spec().item_keys().end());
  if (!job.spec().idempotency_key().empty()) keys.push_back(job.spec().idempotency_key());
  for (std::string& key : keys) {
    ASSIGN_OR_RETURN(std::optional<uint64_t> owner, ReadKey(key));
    // A key forgotten before may name a newer job now: that one keeps it.
    if (owner == seq) deletes->emplace_back(idempotency_cf_, std::move(key));
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> RocksDbJobStore::DeleteTasks(uint64_t seq, size_t* budget, Deletes* deletes) {
  const std::string prefix = EncodeSeq(seq);
  const std::string limit = EncodeSeq(seq + 1);
  rocksdb::Slice upper(limit);
  rocksdb::ReadOptions options;
  options.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, tasks_cf_));
  for (it->Seek(prefix); it->Valid(); it->Next()) {
    if (*budget == 0) return false;
    --*budget;
    deletes->emplace_back(tasks_cf_, it->key().ToString());
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "scan tasks"));
  return true;
}

absl::Status RocksDbJobStore::Write(const Deletes& deletes) {
  if (deletes.empty()) return absl::OkStatus();
  uint64_t ticket = 0;
  {
    // Under mu_, like every Persist: batches reach the log in the order they were made.
    absl::MutexLock lock(&mu_);
    ticket = last_ticket_ = committer_->Append([&](rocksdb::WriteBatch* batch) {
      for (const auto& [family, key] : deletes) batch->Delete(family, key);
    });
  }
  return Durable(ticket);
}

absl::StatusOr<RetentionDone> RocksDbJobStore::Expire(absl::Time keys_before,
                                                      absl::Time jobs_before) {
  if (clock_.Now() >= rewalk_at_) {
    forget_from_.clear();
    delete_from_.clear();
    rewalk_at_ = clock_.Now() + kRewalkEvery;
  }
  RetentionDone done;
  Deletes deletes;
  ASSIGN_OR_RETURN(std::vector<EndedEntry> forget,
                   Ended(kForgetKeys, keys_before, kEntriesPerPass));
  for (const EndedEntry& e : forget) {
    std::optional<v1::Job> job;
    ASSIGN_OR_RETURN(Standing standing, Current(e, &job));
    if (standing == Standing::kCurrent) {
      RETURN_IF_ERROR(ForgetKeys(*job, e.seq, &deletes));
      ++done.keys_forgotten;
    }
    deletes.emplace_back(ended_cf_, e.key);
  }
  size_t task_budget = kTasksPerPass;
  std::string stopped_at;  // a job with more tasks than this pass deletes: the next goes on there
  ASSIGN_OR_RETURN(std::vector<EndedEntry> drop, Ended(kDeleteJob, jobs_before, kEntriesPerPass));
  for (const EndedEntry& e : drop) {
    std::optional<v1::Job> job;
    ASSIGN_OR_RETURN(Standing standing, Current(e, &job));
    if (standing == Standing::kCurrent) {
      RETURN_IF_ERROR(ForgetKeys(*job, e.seq, &deletes));
      ++done.jobs_deleted;
    }
    if (standing != Standing::kStale) {
      // The job goes first, its tasks after it (over several passes for a big one): nothing shows
      // a job half deleted.
      for (rocksdb::ColumnFamilyHandle* family : {specs_cf_, jobs_cf_, active_cf_}) {
        deletes.emplace_back(family, EncodeSeq(e.seq));
      }
      ASSIGN_OR_RETURN(bool all, DeleteTasks(e.seq, &task_budget, &deletes));
      if (!all) {
        stopped_at = e.key;
        break;
      }
    }
    deletes.emplace_back(ended_cf_, e.key);
  }
  RETURN_IF_ERROR(Write(deletes));
  if (!forget.empty()) forget_from_ = forget.back().key + '\0';
  if (!stopped_at.empty()) {
    delete_from_ = stopped_at;
  } else if (!drop.empty()) {
    delete_from_ = drop.back().key + '\0';
  }
  done.more =
      forget.size() == kEntriesPerPass || drop.size() == kEntriesPerPass || !stopped_at.empty();
  return done;
}

absl::Status RocksDbJobStore::Migrate() {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), jobs_cf_));
  it->SeekToFirst();
  // A fresh data directory has nothing to index: say so only when there is.
  LOG_IF(INFO, it->Valid())
      << "indexing the stored jobs (once, for a data directory of an earlier version)";
  rocksdb::WriteBatch batch;
  rocksdb::WriteOptions sync;
  sync.sync = true;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const uint64_t seq = ReadBigEndian(View(it->key()));
    v1::Job job;
    if (!job.ParseFromArray(it->value().data(), it->value().size()) ||
        job.state() == v1::JOB_RUNNING || job.fan_in().state() == v1::FanIn::FAN_IN_PENDING) {
      batch.Put(active_cf_, EncodeSeq(seq), "");  // loaded at start (and failed if unreadable)
    } else {
      const uint64_t end = Micros(FromProto(job.finished_at()));
      batch.Put(ended_cf_, EncodeEndedKey(kForgetKeys, end, seq), "");
      batch.Put(ended_cf_, EncodeEndedKey(kDeleteJob, end, seq), "");
    }
    if (batch.Count() >= 10000) {
      RETURN_IF_ERROR(FromRocks(db_->Write(sync, &batch), "index jobs"));
      batch.Clear();
    }
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "scan jobs"));
  // Last, and in the same batch as the last entries: a migration cut short runs again whole.
  batch.Put(AsSlice(kIndexedKey), "1");
  return FromRocks(db_->Write(sync, &batch), "index jobs");
}

}  // namespace fanout::coordinator
