#include "coordinator/table_backed_job_store.h"

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "common/ref_text.h"
#include "common/status_macros.h"
#include "coordinator/item_keys.h"
#include "glog/logging.h"
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
  for (uint64_t seq : changes.jobs) {
    if (table_.Evictable(seq)) evictions_.emplace_back(seq, last_ticket_);
  }
  EvictDurable();
  return last_ticket_;
}

void TableBackedJobStore::EvictDurable() {
  const uint64_t durable = evictions_.empty() ? 0 : DurableTicket();
  while (!evictions_.empty() && evictions_.front().second <= durable) {
    const uint64_t seq = evictions_.front().first;
    evictions_.pop_front();
    if (seq == pinned_) continue;                  // its redrive lets it go (Unpin)
    if (table_.Evictable(seq)) table_.Evict(seq);  // not if redriven meanwhile
  }
  evictions_pending_.store(!evictions_.empty(), std::memory_order_relaxed);
}

absl::Status TableBackedJobStore::Durable(uint64_t ticket) {
  absl::Status status = AwaitDurable(ticket);
  if (status.ok() && evictions_pending_.load(std::memory_order_relaxed)) {
    absl::MutexLock lock(&mu_);  // what this wait made durable may leave memory now
    EvictDurable();
  }
  if (status.ok()) return status;
  absl::MutexLock lock(&mu_);
  if (broken_.ok()) {
    broken_ = absl::UnavailableError(
        absl::StrCat("job store: a write to disk failed (", status.message(),
                     "); refusing work until the coordinator restarts and reloads its state"));
  }
  return broken_;
}

absl::StatusOr<std::optional<uint64_t>> TableBackedJobStore::KeyOwner(absl::string_view key) {
  if (std::optional<uint64_t> resident = table_.ResidentKey(key)) return resident;
  // Jobs leave memory only once the batch that created them is durable (EvictDurable): their
  // keys are readable from the records by then.
  return ReadKey(key);
}

absl::StatusOr<std::optional<v1::Job>> TableBackedJobStore::JobUnderLock(uint64_t seq) {
  if (const v1::Job* job = table_.JobBySeq(seq)) return *job;
  return ReadJob(seq);
}

absl::Status TableBackedJobStore::SubmitLocked(const v1::JobSpec& spec,
                                               std::unique_ptr<Splitter> splitter,
                                               SubmitOutcome* out, ChangeSet& changes) {
  if (!spec.idempotency_key().empty()) {
    ASSIGN_OR_RETURN(std::optional<uint64_t> owner, KeyOwner(spec.idempotency_key()));
    ASSIGN_OR_RETURN(std::optional<v1::Job> existing,
                     owner ? JobUnderLock(*owner) : std::optional<v1::Job>());
    if (existing) {
      if (!google::protobuf::util::MessageDifferencer::Equals(existing->spec(), spec)) {
        return absl::FailedPreconditionError(
            absl::StrCat("idempotency_key: '", spec.idempotency_key(), "' already created job ",
                         existing->job_id(), " with a different spec"));
      }
      out->job = *std::move(existing);
      return absl::OkStatus();
    }
  }
  // Copied (under the lock) only when item keys may trim it: an inline source can be large.
  std::optional<v1::JobSpec> trimmed;
  std::optional<uint64_t> known;
  if (spec.item_keys_size() > 0) {
    trimmed = spec;
    auto find = [this](absl::string_view key)
                    ABSL_NO_THREAD_SAFETY_ANALYSIS { return KeyOwner(key); };
    ASSIGN_OR_RETURN(out->known_items, LeaveOutKnownItems(find, &*trimmed, &splitter, &known));
  }
  const v1::JobSpec& kept = trimmed ? *trimmed : spec;
  if (kept.item_keys_size() == 0 && known) {  // every item ran already
    ASSIGN_OR_RETURN(std::optional<v1::Job> job, JobUnderLock(*known));
    if (!job) return absl::NotFoundError("item_keys: the job of a known key was deleted");
    out->job = *std::move(job);
    return absl::OkStatus();
  }
  out->job = table_.CreateJob(kept, std::move(splitter), clock_.Now(), &changes);
  out->created = true;
  return absl::OkStatus();
}

absl::StatusOr<SubmitOutcome> TableBackedJobStore::SubmitJob(const v1::JobSpec& spec,
                                                             std::unique_ptr<Splitter> splitter) {
  SubmitOutcome out;
  uint64_t ticket = 0;
  {
    absl::MutexLock lock(&mu_);
    RETURN_IF_ERROR(broken_);
    ChangeSet& changes = Scratch();
    RETURN_IF_ERROR(SubmitLocked(spec, std::move(splitter), &out, changes));
    // Committed even for a duplicate: the job it answers with may not be durable yet.
    ticket = Commit(changes);
  }
  RETURN_IF_ERROR(Durable(ticket));
  return out;
}

std::vector<absl::StatusOr<SubmitOutcome>> TableBackedJobStore::SubmitJobs(
    std::vector<SubmitRequest> requests) {
  std::vector<absl::StatusOr<SubmitOutcome>> answers;
  answers.reserve(requests.size());
  uint64_t ticket = 0;
  {
    absl::MutexLock lock(&mu_);
    if (!broken_.ok()) return std::vector<absl::StatusOr<SubmitOutcome>>(requests.size(), broken_);
    // One change set for all: one write and one sync, however many jobs (an event storm's POST).
    ChangeSet& changes = Scratch();
    for (SubmitRequest& request : requests) {
      SubmitOutcome out;
      absl::Status status = SubmitLocked(request.spec, std::move(request.splitter), &out, changes);
      answers.push_back(status.ok() ? absl::StatusOr<SubmitOutcome>(std::move(out))
                                    : absl::StatusOr<SubmitOutcome>(std::move(status)));
    }
    ticket = Commit(changes);
  }
  if (absl::Status durable = Durable(ticket); !durable.ok()) {
    for (absl::StatusOr<SubmitOutcome>& answer : answers) answer = durable;
  }
  return answers;
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
    const google::protobuf::RepeatedPtrField<v1::TaskRef>& refs, absl::Duration ttl,
    const std::vector<HandlerSaid>& said) {
  // Renewals live in memory only: after a restart every lease gets at least the lease grace, which
  // covers any renewal granted before (see TaskTable::LoadTask). Nothing to wait for.
  std::vector<v1::LeaseStatus> out;
  out.reserve(refs.size());
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(broken_);
  const absl::Time now = clock_.Now();
  for (int i = 0; i < refs.size(); ++i) {
    const HandlerSaid handler =
        static_cast<size_t>(i) < said.size() ? said[i] : HandlerSaid::kNothing;
    out.push_back(table_.Renew(refs[i], ttl, now, handler));
  }
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
    absl::StatusOr<std::optional<v1::Task>> record =
        ReadTask({SeqFromJobId(ref.job_id()).value_or(0), ref.index()});
    // A record that does not parse is that task's problem: the other outcomes of the call are
    // still answered. A disk that cannot be read fails the call (it is retried).
    if (record.status().code() == absl::StatusCode::kDataLoss) {
      LOG(ERROR) << "report for " << RefText(ref) << ": " << record.status();
      out[i] = ReportVerdict::kUnknown;
      continue;
    }
    RETURN_IF_ERROR(record.status());
    out[i] = *record ? TaskTable::JudgeEnded(**record, ref.epoch()) : ReportVerdict::kUnknown;
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

size_t TableBackedJobStore::resident_jobs() {
  absl::MutexLock lock(&mu_);
  return table_.resident_jobs();
}

}  // namespace fanout::coordinator
