#include "coordinator/table_backed_job_store.h"

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "coordinator/item_keys.h"
#include "google/protobuf/util/message_differencer.h"

namespace fanout::coordinator {

TableBackedJobStore::TableBackedJobStore(Clock& clock, RetryPolicy policy)
    : clock_(clock), lease_grace_(absl::ZeroDuration()), table_(std::move(policy)) {}

ChangeSet& TableBackedJobStore::Scratch() {
  scratch_.Clear();
  return scratch_;
}

uint64_t TableBackedJobStore::Commit(const ChangeSet& changes) {
  if (!changes.empty()) last_ticket_ = Persist(changes);
  table_.Retire(changes);
  return last_ticket_;
}

absl::Status TableBackedJobStore::Durable(uint64_t ticket) {
  absl::Status status = AwaitDurable(ticket);
  if (status.ok()) return status;
  absl::MutexLock lock(&mu_);
  if (broken_.ok()) {
    broken_ = absl::UnavailableError(
        absl::StrCat("job store: a write to disk failed (", status.message(),
                     "); refusing work until the coordinator restarts and reloads its state"));
  }
  return broken_;
}

absl::StatusOr<SubmitOutcome> TableBackedJobStore::SubmitJob(const v1::JobSpec& spec,
                                                             std::unique_ptr<Splitter> splitter) {
  SubmitOutcome out;
  uint64_t ticket = 0;
  {
    absl::MutexLock lock(&mu_);
    RETURN_IF_ERROR(broken_);
    const v1::Job* existing = spec.idempotency_key().empty()
                                  ? nullptr
                                  : table_.FindJobByIdempotencyKey(spec.idempotency_key());
    if (existing != nullptr) {
      if (!google::protobuf::util::MessageDifferencer::Equals(existing->spec(), spec)) {
        return absl::FailedPreconditionError(
            absl::StrCat("idempotency_key: '", spec.idempotency_key(), "' already created job ",
                         existing->job_id(), " with a different spec"));
      }
      out.job = *existing;
      ticket = last_ticket_;
    } else {
      // Copied (under the lock) only when item keys may trim it: an inline source can be large.
      std::optional<v1::JobSpec> trimmed;
      const v1::Job* known = nullptr;
      if (spec.item_keys_size() > 0) {
        trimmed = spec;
        auto find = [this](absl::string_view key) ABSL_NO_THREAD_SAFETY_ANALYSIS {
          return table_.FindJobByIdempotencyKey(key);
        };
        ASSIGN_OR_RETURN(out.known_items, LeaveOutKnownItems(find, &*trimmed, &splitter, &known));
      }
      const v1::JobSpec& kept = trimmed ? *trimmed : spec;
      if (kept.item_keys_size() == 0 && known != nullptr) {  // every item ran already
        out.job = *known;
        ticket = last_ticket_;
      } else {
        ChangeSet& changes = Scratch();
        out.job = table_.CreateJob(kept, std::move(splitter), clock_.Now(), &changes);
        out.created = true;
        ticket = Commit(changes);
      }
    }
  }
  RETURN_IF_ERROR(Durable(ticket));
  return out;
}

absl::StatusOr<LeaseGrant> TableBackedJobStore::LeaseTasks(absl::string_view worker_id, size_t max,
                                                           absl::Duration ttl) {
  LeaseGrant grant;
  uint64_t ticket = 0;
  {
    absl::MutexLock lock(&mu_);
    RETURN_IF_ERROR(broken_);
    ChangeSet& changes = Scratch();
    grant = table_.Lease(worker_id, max, ttl, clock_.Now(), &changes);
    ticket = Commit(changes);
  }
  RETURN_IF_ERROR(Durable(ticket));
  return grant;
}

absl::StatusOr<LeaseGrant> TableBackedJobStore::Regrant(const std::vector<v1::TaskRef>& refs) {
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(broken_);
  return table_.Regrant(refs);
}

absl::StatusOr<std::vector<v1::LeaseStatus>> TableBackedJobStore::RenewLeases(
    const google::protobuf::RepeatedPtrField<v1::TaskRef>& refs, absl::Duration ttl) {
  // Renewals live in memory only: after a restart every lease gets at least the lease grace, which
  // covers any renewal granted before (see TaskTable::LoadTask). Nothing to wait for.
  std::vector<v1::LeaseStatus> out;
  out.reserve(refs.size());
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(broken_);
  const absl::Time now = clock_.Now();
  for (const v1::TaskRef& ref : refs) out.push_back(table_.Renew(ref, ttl, now));
  return out;
}

absl::StatusOr<std::vector<v1::LeaseStatus>> TableBackedJobStore::Checkpoint(
    const google::protobuf::RepeatedPtrField<v1::CheckpointEntry>& entries, absl::Duration ttl) {
  std::vector<v1::LeaseStatus> out;
  out.reserve(entries.size());
  uint64_t ticket = 0;
  {
    absl::MutexLock lock(&mu_);
    RETURN_IF_ERROR(broken_);
    ChangeSet& changes = Scratch();
    const absl::Time now = clock_.Now();
    for (const v1::CheckpointEntry& e : entries) {
      out.push_back(table_.Checkpoint(e, ttl, now, &changes));
    }
    ticket = Commit(changes);
  }
  RETURN_IF_ERROR(Durable(ticket));
  return out;
}

absl::StatusOr<std::vector<ReportVerdict>> TableBackedJobStore::ReportOutcomes(
    const google::protobuf::RepeatedPtrField<v1::TaskOutcome>& outcomes) {
  std::vector<ReportVerdict> out;
  out.reserve(outcomes.size());
  uint64_t ticket = 0;
  {
    absl::MutexLock lock(&mu_);
    RETURN_IF_ERROR(broken_);
    ChangeSet& changes = Scratch();
    const absl::Time now = clock_.Now();
    for (const v1::TaskOutcome& o : outcomes) out.push_back(table_.Report(o, now, &changes));
    ticket = Commit(changes);
  }
  RETURN_IF_ERROR(Durable(ticket));
  // Reports about tasks that already ended (a retry after a lost reply, or a late worker) are
  // judged from the stored record; this is off the hot path.
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] != ReportVerdict::kNotLive) continue;
    const v1::TaskRef& ref = outcomes[i].ref();
    ASSIGN_OR_RETURN(std::optional<v1::Task> record,
                     ReadTask({SeqFromJobId(ref.job_id()).value_or(0), ref.index()}));
    out[i] = record ? TaskTable::JudgeEnded(*record, ref.epoch()) : ReportVerdict::kUnknown;
  }
  return out;
}

absl::StatusOr<size_t> TableBackedJobStore::ExpireLeases() {
  size_t expired = 0;
  uint64_t ticket = 0;
  {
    absl::MutexLock lock(&mu_);
    RETURN_IF_ERROR(broken_);
    ChangeSet& changes = Scratch();
    expired = table_.ExpireLeases(clock_.Now(), &changes);
    if (expired == 0) return 0;
    ticket = Commit(changes);
  }
  RETURN_IF_ERROR(Durable(ticket));
  return expired;
}

absl::StatusOr<size_t> TableBackedJobStore::ExpireIdempotencyKeys(absl::Duration retention) {
  size_t expired = 0;
  uint64_t ticket = 0;
  {
    absl::MutexLock lock(&mu_);
    RETURN_IF_ERROR(broken_);
    ChangeSet& changes = Scratch();
    expired = table_.ExpireIdempotencyKeys(clock_.Now() - retention, &changes);
    if (expired == 0) return 0;
    ticket = Commit(changes);
  }
  RETURN_IF_ERROR(Durable(ticket));
  return expired;
}

absl::StatusOr<v1::Job> TableBackedJobStore::CancelJob(absl::string_view job_id) {
  v1::Job job;
  uint64_t ticket = 0;
  {
    absl::MutexLock lock(&mu_);
    RETURN_IF_ERROR(broken_);
    ChangeSet& changes = Scratch();
    ASSIGN_OR_RETURN(const v1::Job* cancelled, table_.CancelJob(job_id, clock_.Now(), &changes));
    job = *cancelled;
    ticket = Commit(changes);
  }
  RETURN_IF_ERROR(Durable(ticket));
  return job;
}

absl::StatusOr<RedriveOutcome> TableBackedJobStore::RedriveJob(absl::string_view job_id,
                                                               bool from_scratch) {
  uint64_t seq = 0, ticket = 0;
  v1::Job job;
  {
    absl::MutexLock lock(&mu_);
    RETURN_IF_ERROR(broken_);
    ASSIGN_OR_RETURN(seq, table_.RedrivableJob(job_id));
    job = *table_.JobBySeq(seq);
    ticket = last_ticket_;
  }
  // Read the job's records once its last transitions are on disk. It has ended, so they do not
  // change meanwhile — unless another redrive runs it again, which the check below catches.
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
    const v1::Job& now = *table_.JobBySeq(seq);
    if (now.redrives() != job.redrives() || now.state() != job.state()) {
      return absl::FailedPreconditionError(
          absl::StrCat("job_id: ", job_id, " was redriven meanwhile; look again and retry"));
    }
    ChangeSet& changes = Scratch();
    ASSIGN_OR_RETURN(out.redriven, table_.Redrive(seq, std::move(candidates), from_scratch,
                                                  clock_.Now(), &changes));
    out.job = *table_.JobBySeq(seq);
    ticket = Commit(changes);
  }
  RETURN_IF_ERROR(Durable(ticket));
  return out;
}

absl::StatusOr<v1::Job> TableBackedJobStore::SetMaxConcurrency(absl::string_view job_id,
                                                               uint32_t limit) {
  v1::Job job;
  uint64_t ticket = 0;
  {
    absl::MutexLock lock(&mu_);
    RETURN_IF_ERROR(broken_);
    ChangeSet& changes = Scratch();
    ASSIGN_OR_RETURN(const v1::Job* updated, table_.SetMaxConcurrency(job_id, limit, &changes));
    job = *updated;
    ticket = Commit(changes);
  }
  RETURN_IF_ERROR(Durable(ticket));
  return job;
}

std::vector<v1::Job> TableBackedJobStore::PendingFanIns() {
  absl::MutexLock lock(&mu_);
  return table_.PendingFanIns();
}

absl::StatusOr<v1::Job> TableBackedJobStore::RecordFanIn(absl::string_view job_id,
                                                         uint32_t redrives, v1::FanIn fan_in) {
  v1::Job job;
  uint64_t ticket = 0;
  {
    absl::MutexLock lock(&mu_);
    RETURN_IF_ERROR(broken_);
    ChangeSet& changes = Scratch();
    ASSIGN_OR_RETURN(const v1::Job* recorded,
                     table_.RecordFanIn(job_id, redrives, std::move(fan_in), &changes));
    job = *recorded;
    ticket = Commit(changes);
  }
  RETURN_IF_ERROR(Durable(ticket));
  return job;
}

absl::StatusOr<v1::Job> TableBackedJobStore::GetJob(absl::string_view job_id) {
  v1::Job job;
  uint64_t ticket = 0;
  {
    absl::MutexLock lock(&mu_);
    const v1::Job* found = table_.FindJob(job_id);
    if (found == nullptr) return absl::NotFoundError(absl::StrCat("job_id: no job '", job_id, "'"));
    job = *found;
    ticket = last_ticket_;
  }
  // Show nothing that is not on disk yet: a crash now must not take back what a reader saw.
  RETURN_IF_ERROR(Durable(ticket));
  return job;
}

std::vector<v1::Job> TableBackedJobStore::ListJobs(uint64_t before_seq, size_t limit) {
  std::vector<v1::Job> out;
  uint64_t ticket = 0;
  {
    absl::MutexLock lock(&mu_);
    for (const v1::Job* job : table_.ListJobs(before_seq, limit)) out.push_back(*job);
    ticket = last_ticket_;
  }
  if (!Durable(ticket).ok()) return {};
  return out;
}

absl::StatusOr<std::vector<v1::Task>> TableBackedJobStore::ListTasks(absl::string_view job_id,
                                                                     uint64_t start_index,
                                                                     size_t limit) {
  uint64_t seq = 0, end = 0, ticket = 0;
  v1::Job job;
  {
    absl::MutexLock lock(&mu_);
    const v1::Job* found = table_.FindJob(job_id);
    if (found == nullptr) return absl::NotFoundError(absl::StrCat("job_id: no job '", job_id, "'"));
    job = *found;
    seq = SeqFromJobId(job_id).value();
    end = std::min<uint64_t>(job.counts().total(), start_index + limit);
    ticket = last_ticket_;
  }
  if (start_index >= end) return std::vector<v1::Task>();
  RETURN_IF_ERROR(Durable(ticket));
  ASSIGN_OR_RETURN(std::vector<v1::Task> written, ReadTasks(seq, start_index, end));
  if (written.size() == end - start_index) return written;
  return FillUnwritten(job, seq, start_index, end, std::move(written));
}

absl::StatusOr<std::vector<v1::Task>> TableBackedJobStore::FillUnwritten(
    const v1::Job& job, uint64_t seq, uint64_t begin, uint64_t end, std::vector<v1::Task> written) {
  // An ended job has no splitter of its own any more: make one, once, outside the lock.
  std::unique_ptr<Splitter> splitter;
  if (job.state() != v1::JOB_RUNNING) {
    absl::StatusOr<std::unique_ptr<Splitter>> made =
        MakeSplitter(job.spec().source(), job.spec().options().batch_size());
    if (made.ok()) splitter = std::move(*made);
  }
  std::vector<v1::Task> out(end - begin);
  std::vector<bool> known(end - begin, false);
  for (v1::Task& t : written) {
    known[t.index() - begin] = true;
    out[t.index() - begin] = std::move(t);
  }
  std::vector<uint64_t> recheck;
  uint64_t ticket = 0;
  {
    absl::MutexLock lock(&mu_);
    for (uint64_t i = begin; i < end; ++i) {
      if (known[i - begin]) continue;
      if (const v1::Task* live = table_.LiveTask(seq, i)) {
        out[i - begin] = *live;
        known[i - begin] = true;
      } else {
        recheck.push_back(i);  // never written, or ended and written since the read above
      }
    }
    ticket = last_ticket_;
  }
  RETURN_IF_ERROR(Durable(ticket));
  for (uint64_t i : recheck) {
    ASSIGN_OR_RETURN(std::optional<v1::Task> record, ReadTask({seq, i}));
    if (record) {
      out[i - begin] = std::move(*record);
      known[i - begin] = true;
    }
  }
  absl::MutexLock lock(&mu_);
  for (uint64_t i : recheck) {
    if (!known[i - begin]) out[i - begin] = table_.UnwrittenTask(seq, i, splitter.get());
  }
  return out;
}

absl::Status TableBackedJobStore::AppendTasks(uint64_t job_seq, std::vector<NewTask> tasks,
                                              std::string cursor, bool done) {
  uint64_t ticket = 0;
  {
    absl::MutexLock lock(&mu_);
    RETURN_IF_ERROR(broken_);
    ChangeSet& changes = Scratch();
    RETURN_IF_ERROR(table_.AppendTasks(job_seq, std::move(tasks), std::move(cursor), done,
                                       clock_.Now(), &changes));
    ticket = Commit(changes);
  }
  return Durable(ticket);
}

absl::Status TableBackedJobStore::FailJob(uint64_t job_seq, absl::string_view why) {
  uint64_t ticket = 0;
  {
    absl::MutexLock lock(&mu_);
    RETURN_IF_ERROR(broken_);
    ChangeSet& changes = Scratch();
    RETURN_IF_ERROR(table_.FailJob(job_seq, why, clock_.Now(), &changes));
    ticket = Commit(changes);
  }
  return Durable(ticket);
}

std::vector<SplitWork> TableBackedJobStore::PendingSplits() {
  absl::MutexLock lock(&mu_);
  return table_.PendingSplits();
}

void TableBackedJobStore::StartServing() {
  absl::MutexLock lock(&mu_);
  table_.GraceLoadedLeases(clock_.Now(), lease_grace_);
}

absl::Status TableBackedJobStore::health() {
  absl::MutexLock lock(&mu_);
  return broken_;
}

std::optional<absl::Time> TableBackedJobStore::NextWakeup() {
  absl::MutexLock lock(&mu_);
  return table_.NextWakeup();
}

TaskTotals TableBackedJobStore::Totals() {
  absl::MutexLock lock(&mu_);
  return table_.totals();
}

std::vector<JobGauge> TableBackedJobStore::Gauges(absl::Duration ended_within) {
  const absl::Time now = clock_.Now();
  absl::MutexLock lock(&mu_);
  return table_.Gauges(now, ended_within);
}

}  // namespace fanout::coordinator
