// TableBackedJobStore: what operators do to jobs — cancel, redrive, change concurrency, record a
// fan-in — and what time does to them: retention.
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "coordinator/table_backed_job_store.h"

namespace fanout::coordinator {
absl::StatusOr<std::optional<v1::Job>> TableBackedJobStore::ChangeJob(
    absl::string_view job_id,
    absl::FunctionRef<absl::StatusOr<const v1::Job*>(ChangeSet&)> change) {
  v1::Job job;
  uint64_t ticket = 0;
  {
    absl::MutexLock lock(&mu_);
    RETURN_IF_ERROR(broken_);
    if (table_.FindJob(job_id) == nullptr) return std::nullopt;
    ChangeSet& changes = Scratch();
    ASSIGN_OR_RETURN(const v1::Job* changed, change(changes));
    job = *changed;
    ticket = Commit(changes);
  }
  RETURN_IF_ERROR(Durable(ticket));
  return job;
}

absl::StatusOr<v1::Job> TableBackedJobStore::CancelJob(absl::string_view job_id) {
  ASSIGN_OR_RETURN(std::optional<v1::Job> job,
                   ChangeJob(job_id, [&](ChangeSet& changes) ABSL_NO_THREAD_SAFETY_ANALYSIS {
                     return table_.CancelJob(job_id, clock_.Now(), &changes);
                   }));
  if (!job) return GetJob(job_id);  // ended and left memory: nothing to cancel
  return *std::move(job);
}

absl::StatusOr<v1::Job> TableBackedJobStore::SetMaxConcurrency(absl::string_view job_id,
                                                               uint32_t limit) {
  ASSIGN_OR_RETURN(std::optional<v1::Job> job,
                   ChangeJob(job_id, [&](ChangeSet& changes) ABSL_NO_THREAD_SAFETY_ANALYSIS {
                     return table_.SetMaxConcurrency(job_id, limit, &changes);
                   }));
  if (job) return *std::move(job);
  RETURN_IF_ERROR(GetJob(job_id).status());  // not in memory: ended, or unknown
  return absl::FailedPreconditionError(absl::StrCat("job_id: ", job_id, " has ended"));
}

absl::StatusOr<uint64_t> TableBackedJobStore::Pin(absl::string_view job_id) {
  const std::optional<uint64_t> seq = SeqFromJobId(job_id);
  if (!seq) return NoJobError(job_id);
  {
    absl::MutexLock lock(&mu_);
    if (table_.JobBySeq(*seq) != nullptr) {
      pinned_ = *seq;
      return *seq;
    }
  }
  ASSIGN_OR_RETURN(std::optional<v1::Job> job, FindAnywhere(*seq));
  if (!job) return NoJobError(job_id);
  absl::MutexLock lock(&mu_);
  // Its keys stay on disk: one forgotten since may name a newer job now.
  if (table_.JobBySeq(*seq) == nullptr) table_.LoadJob(*std::move(job), /*keys=*/false);
  pinned_ = *seq;
  return *seq;
}

void TableBackedJobStore::Unpin() {
  absl::MutexLock lock(&mu_);
  const uint64_t seq = std::exchange(pinned_, 0);
  // A redrive that did not happen: the job leaves memory again, once all it wrote is durable.
  if (table_.Evictable(seq)) evictions_.emplace_back(seq, last_ticket_);
  EvictDurable();
}

absl::StatusOr<RedriveOutcome> TableBackedJobStore::RedriveJob(absl::string_view job_id,
                                                               bool from_scratch) {
  absl::MutexLock maintenance(&maintenance_mu_);
  ASSIGN_OR_RETURN(const uint64_t seq, Pin(job_id));
  struct Unpinning {
    TableBackedJobStore* store;
    ~Unpinning() { store->Unpin(); }
  } unpinning{this};
  return RedrivePinned(job_id, seq, from_scratch);
}

absl::StatusOr<RedriveOutcome> TableBackedJobStore::RedrivePinned(absl::string_view job_id,
                                                                  uint64_t seq, bool from_scratch) {
  uint64_t ticket = 0;
  v1::Job job;
  {
    absl::MutexLock lock(&mu_);
    RETURN_IF_ERROR(broken_);
    RETURN_IF_ERROR(table_.RedrivableJob(job_id).status());
    job = *table_.JobBySeq(seq);
    ticket = last_ticket_;
  }
  // Read the job's records once its last transitions are on disk. It has ended, so they do not
  // change meanwhile (the maintenance lock keeps other redrives and retention out, the pin keeps
  // it in memory).
  RETURN_IF_ERROR(Durable(ticket));
  std::vector<v1::Task> candidates;
  constexpr uint64_t kPage = 10000;
  for (uint64_t begin = 0; begin < job.counts().total(); begin += kPage) {
    ASSIGN_OR_RETURN(std::vector<v1::Task> page, ReadTasks(seq, begin, begin + kPage));
    for (v1::Task& t : page) {
      if (TaskTable::Redrivable(job, t)) candidates.push_back(std::move(t));
    }
  }
  RedriveOutcome out;
  {
    absl::MutexLock lock(&mu_);
    RETURN_IF_ERROR(broken_);
    ChangeSet& changes = Scratch();
    ASSIGN_OR_RETURN(out.redriven, table_.Redrive(seq, std::move(candidates), from_scratch,
                                                  clock_.Now(), &changes));
    out.job = *table_.JobBySeq(seq);
    ticket = Commit(changes);
  }
  RETURN_IF_ERROR(Durable(ticket));
  return out;
}

std::vector<v1::Job> TableBackedJobStore::PendingFanIns() {
  absl::MutexLock lock(&mu_);
  return table_.PendingFanIns();
}

absl::StatusOr<v1::Job> TableBackedJobStore::RecordFanIn(absl::string_view job_id,
                                                         uint32_t redrives, v1::FanIn fan_in) {
  // A job whose fan-in is pending stays in memory until it is recorded.
  ASSIGN_OR_RETURN(std::optional<v1::Job> job,
                   ChangeJob(job_id, [&](ChangeSet& changes) ABSL_NO_THREAD_SAFETY_ANALYSIS {
                     return table_.RecordFanIn(job_id, redrives, std::move(fan_in), &changes);
                   }));
  if (!job) return NoJobError(job_id);
  return *std::move(job);
}

absl::StatusOr<RetentionDone> TableBackedJobStore::ApplyRetention(const RetentionPolicy& policy) {
  {
    absl::MutexLock lock(&mu_);
    RETURN_IF_ERROR(broken_);
    EvictDurable();  // what ended while nothing else was written
  }
  absl::MutexLock maintenance(&maintenance_mu_);
  const absl::Time now = clock_.Now();
  // Keys never outlive their job.
  return Expire(now - std::min(policy.idempotency, policy.jobs), now - policy.jobs);
}

}  // namespace fanout::coordinator
