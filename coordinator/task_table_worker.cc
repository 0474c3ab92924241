// TaskTable: the worker protocol — lease, renew, checkpoint, report, expire — and the bookkeeping
// of attempts.
#include <cmath>
#include <limits>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/limits.h"
#include "common/metering.h"
#include "common/proto_time.h"
#include "common/utf8.h"
#include "coordinator/task_table.h"

namespace fanout::coordinator {
namespace {

uint32_t MaxStalledContinuations(const v1::JobOptions& o) {
  return o.max_stalled_continuations() == 0 ? kDefaultMaxStalledContinuations
                                            : o.max_stalled_continuations();
}

}  // namespace

LeaseGrant TaskTable::Lease(absl::string_view worker_id, size_t max, absl::Duration ttl,
                            absl::Time now, ChangeSet* changes) {
  LeaseGrant grant;
  ready_.PromoteDue(now);
  size_t bytes = 0;
  const std::vector<TaskKey> keys = ready_.Take(
      max,
      [this](uint64_t seq) -> size_t {
        const v1::Job& job = jobs_.at(seq).job;
        const uint64_t cap = job.has_max_concurrency() ? job.max_concurrency()
                                                       : job.spec().options().max_concurrency();
        if (cap == 0) return std::numeric_limits<size_t>::max();
        return job.counts().running() >= cap ? 0 : cap - job.counts().running();
      },
      // A grant is cut at kBatchBytes of items and cursors: a batch of big tasks never exceeds
      // what one response may carry (the first task always goes; tasks are at most 6 MiB).
      [&](TaskKey key) {
        const v1::Task* task = FindLive(key.job_seq, key.index);
        size_t size = task == nullptr ? 0 : task->checkpoint().size();
        if (task != nullptr) {
          for (const std::string& item : task->items()) size += item.size();
        }
        if (bytes > 0 && bytes + size > kBatchBytes) return false;
        bytes += size + 1;
        return true;
      });
  grant.tasks.reserve(keys.size());
  absl::flat_hash_set<uint64_t> described;
  for (const TaskKey& key : keys) {
    JobEntry& entry = jobs_.at(key.job_seq);
    auto it = entry.live.find(key.index);
    if (it == entry.live.end() || it->second.state() != v1::TASK_PENDING) continue;
    v1::Task& task = it->second;
    LeaseOne(entry, task, worker_id, ttl, now);
    changes->tasks.insert(key);
    changes->jobs.insert(key.job_seq);
    if (!described.contains(key.job_seq)) Refill(key.job_seq, entry);
    Describe(entry, task, &grant, &described);
  }
  return grant;
}

LeaseGrant TaskTable::Regrant(const std::vector<v1::TaskRef>& refs) const {
  LeaseGrant grant;
  absl::flat_hash_set<uint64_t> described;
  for (const v1::TaskRef& ref : refs) {
    const std::optional<uint64_t> seq = SeqFromJobId(ref.job_id());
    auto job = seq ? jobs_.find(*seq) : jobs_.end();
    if (job == jobs_.end()) continue;
    auto it = job->second.live.find(ref.index());
    if (it == job->second.live.end() || it->second.state() != v1::TASK_LEASED ||
        it->second.epoch() != ref.epoch()) {
      continue;
    }
    Describe(job->second, it->second, &grant, &described);
  }
  return grant;
}

void TaskTable::Describe(const JobEntry& entry, const v1::Task& task, LeaseGrant* grant,
                         absl::flat_hash_set<uint64_t>* described) {
  v1::LeasedTask& leased = grant->tasks.emplace_back();
  leased.mutable_ref()->set_job_id(task.job_id());
  leased.mutable_ref()->set_index(task.index());
  leased.mutable_ref()->set_epoch(task.epoch());
  leased.set_attempt(task.attempt());
  *leased.mutable_items() = task.items();
  *leased.mutable_lease_expires_at() = task.lease_expires_at();
  leased.set_resume_cursor(task.checkpoint());
  leased.set_progress(task.progress());
  if (!described->insert(SeqFromJobId(task.job_id()).value()).second) return;
  const v1::JobSpec& spec = entry.job.spec();
  v1::JobContext& context = grant->jobs.emplace_back();
  context.set_job_id(entry.job.job_id());
  context.set_function(spec.function());
  context.set_params_json(spec.params_json());
  if (spec.options().has_timeout()) *context.mutable_timeout() = spec.options().timeout();
}

void TaskTable::LeaseOne(JobEntry& entry, v1::Task& task, absl::string_view worker_id,
                         absl::Duration ttl, absl::Time now) {
  const absl::Time expiry = now + ttl;
  Move(entry, v1::TASK_PENDING, v1::TASK_LEASED);
  task.set_state(v1::TASK_LEASED);
  task.set_epoch(task.epoch() + 1);
  task.set_attempt(task.attempt() + 1);
  task.set_worker_id(std::string(worker_id));
  task.clear_not_before();
  ToProto(expiry, task.mutable_lease_expires_at());
  if (task.attempts_size() >= kAttemptHistory) task.mutable_attempts()->DeleteSubrange(0, 1);
  v1::Attempt* attempt = task.add_attempts();
  attempt->set_epoch(task.epoch());
  attempt->set_worker_id(std::string(worker_id));
  ToProto(now, attempt->mutable_leased_at());
  ToProto(expiry, attempt->mutable_lease_expires_at());
  attempt->set_resumed_from(task.checkpoint());
  leases_.Add({SeqFromJobId(task.job_id()).value(), task.index()}, task.epoch(), expiry);
}

v1::LeaseStatus TaskTable::Renew(const v1::TaskRef& ref, absl::Duration ttl, absl::Time now,
                                 HandlerSaid said) {
  JobEntry* entry = FindEntry(ref.job_id());
  if (entry == nullptr) {  // ended, and left memory since
    const std::optional<uint64_t> seq = SeqFromJobId(ref.job_id());
    return seq && RecentlyEnded(*seq) == v1::JOB_CANCELLED ? v1::LEASE_CANCELLED : v1::LEASE_LOST;
  }
  if (entry->job.state() == v1::JOB_CANCELLED) return v1::LEASE_CANCELLED;
  auto it = entry->live.find(ref.index());
  if (it == entry->live.end()) return v1::LEASE_LOST;
  v1::Task& task = it->second;
  if (task.state() != v1::TASK_LEASED || task.epoch() != ref.epoch()) return v1::LEASE_LOST;
  // The heap keeps the older, earlier entry; ExpireLeases re-files it at the new expiry.
  const absl::Time expiry = std::max(now + ttl, FromProto(task.lease_expires_at()));
  ToProto(expiry, task.mutable_lease_expires_at());
  if (task.attempts_size() > 0) {
    v1::Attempt* attempt = task.mutable_attempts(task.attempts_size() - 1);
    *attempt->mutable_lease_expires_at() = task.lease_expires_at();
    if (said == HandlerSaid::kStarted) {
      if (!attempt->has_handler_first_seen_at()) {
        ToProto(now, attempt->mutable_handler_first_seen_at());
      }
      ToProto(now, attempt->mutable_handler_seen_at());
      attempt->set_handler_waiting(false);
    } else if (said == HandlerSaid::kWaiting) {
      attempt->set_handler_waiting(true);
    }
  }
  return v1::LEASE_OK;
}

v1::LeaseStatus TaskTable::Checkpoint(const v1::CheckpointEntry& cp, absl::Duration ttl,
                                      absl::Time now, ChangeSet* changes) {
  const v1::LeaseStatus status = Renew(cp.ref(), ttl, now, HandlerSaid::kStarted);
  if (status != v1::LEASE_OK) return status;
  const uint64_t seq = SeqFromJobId(cp.ref().job_id()).value();
  JobEntry& entry = jobs_.at(seq);
  v1::Task& task = entry.live.at(cp.ref().index());
  const double progress = std::isfinite(cp.progress()) ? std::clamp(cp.progress(), 0.0, 1.0) : 0;
  entry.partial += progress - task.progress();
  task.set_progress(progress);
  task.set_checkpoint(cp.cursor());
  v1::Attempt* attempt = task.mutable_attempts(task.attempts_size() - 1);
  attempt->set_checkpoints(attempt->checkpoints() + 1);
  RefreshProgress(entry);
  changes->tasks.insert({seq, cp.ref().index()});
  changes->jobs.insert(seq);
  return v1::LEASE_OK;
}

ReportVerdict TaskTable::JudgeEnded(const v1::Task& record, uint64_t epoch) {
  for (const v1::Attempt& attempt : record.attempts()) {
    if (attempt.epoch() == epoch && attempt.reported()) return ReportVerdict::kDuplicate;
  }
  return ReportVerdict::kStale;
}

ReportVerdict TaskTable::Report(const v1::TaskOutcome& outcome, absl::Time now,
                                ChangeSet* changes) {
  const std::optional<uint64_t> seq = SeqFromJobId(outcome.ref().job_id());
  if (!seq) return ReportVerdict::kUnknown;
  auto job = jobs_.find(*seq);
  if (job == jobs_.end()) return ReportVerdict::kNotLive;  // ended and left memory: judged on disk
  JobEntry& entry = job->second;
  auto it = entry.live.find(outcome.ref().index());
  if (it == entry.live.end()) return ReportVerdict::kNotLive;
  v1::Task& task = it->second;
  if (task.state() != v1::TASK_LEASED || task.epoch() != outcome.ref().epoch()) {
    return JudgeEnded(task, outcome.ref().epoch());
  }
  MeterInvocation(entry, task, outcome, now);
  switch (outcome.outcome_case()) {
    case v1::TaskOutcome::kResults:
      if (outcome.results().results_size() != task.items_size()) {
        v1::TaskError error;
        error.set_code(v1::ERROR_FATAL);
        error.set_message(absl::StrCat("worker returned ", outcome.results().results_size(),
                                       " results for ", task.items_size(), " items"));
        EndAttempt(entry, task, v1::TASK_FAILED, &error, /*reported=*/true, now);
        break;
      }
      *task.mutable_results() = outcome.results().results();
      EndAttempt(entry, task, v1::TASK_SUCCEEDED, nullptr, /*reported=*/true, now);
      break;
    case v1::TaskOutcome::kError:
      FailAttempt(entry, task, outcome.error(), /*reported=*/true, now);
      break;
    case v1::TaskOutcome::kContinued:
      Continue(entry, task, now);
      break;
    default:  // released unstarted: the attempt does not count
      EndAttempt(entry, task, v1::TASK_PENDING, nullptr, /*reported=*/true, now);
      task.set_attempt(task.attempt() - 1);
      Requeue(entry, task, now, now);
      break;
  }
  changes->tasks.insert({*seq, task.index()});
  changes->jobs.insert(*seq);
  MaybeFinish(entry, now, changes);
  return ReportVerdict::kAccepted;
}

void TaskTable::MeterInvocation(JobEntry& entry, v1::Task& task, const v1::TaskOutcome& outcome,
                                absl::Time now) {
  const v1::TaskOutcome::OutcomeCase ran = outcome.outcome_case();
  if (ran != v1::TaskOutcome::kResults && ran != v1::TaskOutcome::kError &&
      ran != v1::TaskOutcome::kContinued) {
    return;  // released unstarted (or nothing said): no invocation
  }
  // As the worker measured it, but never longer than the lease has existed.
  absl::Duration took = std::max(absl::ZeroDuration(), FromProto(outcome.duration()));
  if (task.attempts_size() > 0) {
    v1::Attempt* attempt = task.mutable_attempts(task.attempts_size() - 1);
    took = std::min(took, now - FromProto(attempt->leased_at()));
    ToProto(took, attempt->mutable_duration());
    if (!outcome.logs().empty()) {
      attempt->set_logs(ReplaceInvalidUtf8(outcome.logs().substr(
          outcome.logs().size() - std::min<size_t>(outcome.logs().size(), kMaxLogBytes))));
    }
    // Init is billed as Lambda bills custom runtimes', but is within the measured duration.
    if (outcome.has_init_duration()) *attempt->mutable_init_duration() = outcome.init_duration();
  }
  totals_.gb_seconds +=
      Meter(took, MemoryMb(entry.job.spec().options()), entry.job.mutable_usage());
  ++totals_.invocations;
}

void TaskTable::MeterExpired(JobEntry& entry, v1::Task& task, absl::Time now) {
  if (task.attempts_size() == 0) return;
  const v1::Attempt& attempt = task.attempts(task.attempts_size() - 1);
  if (!attempt.has_handler_seen_at()) return;  // never known to have started: nobody knows it ran
  // Its worker went silent: it ran from the first renewal that said it had started to the last
  // (a lower bound: not its time in the worker's queue; Lambda would bill until the invocation
  // ended, which nobody saw).
  v1::TaskOutcome ran;
  ran.mutable_error()->set_code(v1::ERROR_RETRYABLE);
  ToProto(std::max(absl::Milliseconds(1), FromProto(attempt.handler_seen_at()) -
                                              FromProto(attempt.handler_first_seen_at())),
          ran.mutable_duration());
  MeterInvocation(entry, task, ran, now);
}

void TaskTable::EndAttempt(JobEntry& entry, v1::Task& task, v1::TaskState to,
                           const v1::TaskError* error, bool reported, absl::Time now) {
  if (task.attempts_size() > 0) {
    v1::Attempt* attempt = task.mutable_attempts(task.attempts_size() - 1);
    ToProto(now, attempt->mutable_ended_at());
    attempt->set_outcome(to);
    attempt->set_reported(reported);
    if (error != nullptr) *attempt->mutable_error() = *error;
  }
  if (error != nullptr) *task.mutable_error() = *error;
  if (to != v1::TASK_PENDING) {
    entry.partial -= task.progress();  // from now on it counts as ended
    if (to == v1::TASK_SUCCEEDED) task.set_progress(1.0);
    ToProto(now, task.mutable_finished_at());
  }
  task.set_state(to);
  Move(entry, v1::TASK_LEASED, to);
}

void TaskTable::FailAttempt(JobEntry& entry, v1::Task& task, const v1::TaskError& error,
                            bool reported, absl::Time now) {
  // A handler that saw itself cancelled while its job still runs was stopped by its worker
  // (shutdown, lost lease): that is worth another try.
  const bool retryable = IsRetryable(error.code()) || error.code() == v1::ERROR_CANCELLED;
  const v1::JobOptions& options = entry.job.spec().options();
  if (!retryable) {
    EndAttempt(entry, task, v1::TASK_FAILED, &error, reported, now);
  } else if (task.attempt() >= MaxAttempts(options)) {
    EndAttempt(entry, task, v1::TASK_DEAD, &error, reported, now);
  } else {
    EndAttempt(entry, task, v1::TASK_PENDING, &error, reported, now);
    ++totals_.retried;
    Requeue(entry, task, now + policy_.Backoff(options, task.attempt()), now);
  }
}

void TaskTable::Continue(JobEntry& entry, v1::Task& task, absl::Time now) {
  // Reaching the time limit is how long tasks work, not a failure: no attempt is used. Only a
  // task whose checkpoint stops advancing is stopped, so that it cannot loop forever.
  const bool advanced = task.checkpoint() != task.attempts(task.attempts_size() - 1).resumed_from();
  task.set_stalled_continuations(advanced ? 0 : task.stalled_continuations() + 1);
  task.set_continuations(task.continuations() + 1);
  const uint32_t allowed = MaxStalledContinuations(entry.job.spec().options());
  if (task.stalled_continuations() > allowed) {
    v1::TaskError error;
    error.set_code(v1::ERROR_TIMEOUT);
    error.set_message(absl::StrCat("no progress: ", task.stalled_continuations(),
                                   " invocations in a row reached the time limit without a new "
                                   "checkpoint (allowed: ",
                                   allowed, ")"));
    EndAttempt(entry, task, v1::TASK_FAILED, &error, /*reported=*/true, now);
    return;
  }
  v1::TaskError note;
  note.set_code(v1::ERROR_TIMEOUT);
  note.set_message("reached the time limit; continues from its last checkpoint");
  EndAttempt(entry, task, v1::TASK_PENDING, &note, /*reported=*/true, now);
  ++totals_.continued;
  task.mutable_attempts(task.attempts_size() - 1)->set_continued(true);
  task.clear_error();
  task.set_attempt(task.attempt() - 1);
  Requeue(entry, task, now, now);
}

void TaskTable::Requeue(JobEntry& entry, v1::Task& task, absl::Time not_before, absl::Time now) {
  const TaskKey key{SeqFromJobId(entry.job.job_id()).value(), task.index()};
  ToProto(now, task.mutable_pending_since());
  if (not_before > now) {
    ToProto(not_before, task.mutable_not_before());
    ready_.PushDelayed(key, not_before);
  } else {
    task.clear_not_before();
    ready_.PushReady(key);
  }
}

size_t TaskTable::ExpireLeases(absl::Time now, ChangeSet* changes) {
  size_t expired = 0;
  for (const LeaseHeap::Entry& e : leases_.PopExpired(now)) {
    v1::Task* task = FindLive(e.key.job_seq, e.key.index);
    if (task == nullptr || task->state() != v1::TASK_LEASED || task->epoch() != e.epoch) {
      continue;  // the task moved on
    }
    const absl::Time expiry = FromProto(task->lease_expires_at());
    if (expiry > now) {  // renewed since this entry was filed
      leases_.Add(e.key, e.epoch, expiry);
      continue;
    }
    JobEntry& entry = jobs_.at(e.key.job_seq);
    MeterExpired(entry, *task, now);
    v1::TaskError error;
    error.set_code(v1::ERROR_RETRYABLE);
    error.set_message(absl::StrCat("lease expired: worker ", task->worker_id(),
                                   " stopped renewing (crashed or cut off?)"));
    FailAttempt(entry, *task, error, /*reported=*/false, now);
    changes->tasks.insert(e.key);
    changes->jobs.insert(e.key.job_seq);
    MaybeFinish(entry, now, changes);
    ++expired;
    ++totals_.lease_expiries;
  }
  return expired;
}

}  // namespace fanout::coordinator
