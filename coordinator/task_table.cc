// TaskTable: jobs, materialization, cancellation, the end of jobs, and bookkeeping. Recovery, the
// worker protocol and redrive live in task_table_recovery.cc, task_table_worker.cc and
// task_table_redrive.cc.
#include "coordinator/task_table.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/plural.h"
#include "common/proto_time.h"
#include "coordinator/tolerance.h"

namespace fanout::coordinator {
namespace {

void AddCount(v1::TaskCounts& c, v1::TaskState state, int64_t delta) {
  switch (state) {
    case v1::TASK_PENDING:
      c.set_pending(c.pending() + delta);
      break;
    case v1::TASK_LEASED:
      c.set_running(c.running() + delta);
      break;
    case v1::TASK_SUCCEEDED:
      c.set_succeeded(c.succeeded() + delta);
      break;
    case v1::TASK_FAILED:
      c.set_failed(c.failed() + delta);
      break;
    case v1::TASK_DEAD:
      c.set_dead(c.dead() + delta);
      break;
    default:
      c.set_cancelled(c.cancelled() + delta);
      break;
  }
}

}  // namespace

TaskTable::TaskTable(RetryPolicy policy) : policy_(std::move(policy)) {}

TaskTable::JobEntry* TaskTable::FindEntry(absl::string_view job_id) {
  const std::optional<uint64_t> seq = SeqFromJobId(job_id);
  if (!seq) return nullptr;
  auto it = jobs_.find(*seq);
  return it == jobs_.end() ? nullptr : &it->second;
}

const v1::Job* TaskTable::FindJob(absl::string_view job_id) const {
  const std::optional<uint64_t> seq = SeqFromJobId(job_id);
  return seq ? JobBySeq(*seq) : nullptr;
}

const v1::Job* TaskTable::JobBySeq(uint64_t seq) const {
  auto it = jobs_.find(seq);
  return it == jobs_.end() ? nullptr : &it->second.job;
}

void TaskTable::VisitJobWithoutSpec(uint64_t seq, absl::FunctionRef<void(const v1::Job&)> visit) {
  v1::Job& job = jobs_.at(seq).job;
  v1::JobSpec spec;
  spec.Swap(job.mutable_spec());
  job.clear_spec();
  visit(job);
  job.mutable_spec()->Swap(&spec);
}

std::optional<uint64_t> TaskTable::ResidentKey(absl::string_view key) const {
  auto it = idempotency_.find(key);
  if (it == idempotency_.end()) return std::nullopt;
  return it->second;
}

v1::Task* TaskTable::FindLive(uint64_t seq, uint64_t index) {
  auto job = jobs_.find(seq);
  if (job == jobs_.end()) return nullptr;
  auto it = job->second.live.find(index);
  return it == job->second.live.end() ? nullptr : &it->second;
}

const v1::Task* TaskTable::LiveTask(TaskKey key) const {
  return const_cast<TaskTable*>(this)->FindLive(key.job_seq, key.index);
}

const v1::Job& TaskTable::CreateJob(const v1::JobSpec& spec, std::unique_ptr<Splitter> splitter,
                                    absl::Time now, ChangeSet* changes) {
  const uint64_t seq = next_job_seq_++;
  ++totals_.jobs_submitted;
  changes->next_job_seq_changed = true;
  JobEntry& entry = jobs_[seq];
  v1::Job& job = entry.job;
  job.set_job_id(JobIdFromSeq(seq));
  *job.mutable_spec() = spec;
  job.set_state(v1::JOB_RUNNING);
  ToProto(now, job.mutable_created_at());
  if (splitter == nullptr) {
    entry.sequential = true;  // tasks arrive through AppendTasks as the source is read
    job.set_sequential(true);
  } else {
    job.mutable_counts()->set_total(splitter->task_count());
    job.mutable_counts()->set_pending(splitter->task_count());
    job.set_items_total(splitter->item_count());
    job.set_split_done(true);
  }
  RefreshProgress(entry);
  entry.splitter = std::move(splitter);
  ready_.AddJob(seq, spec.options().priority());
  Refill(seq, entry);
  if (!spec.idempotency_key().empty()) {
    idempotency_[spec.idempotency_key()] = seq;
    changes->idempotency_keys.emplace_back(spec.idempotency_key(), seq);
  }
  for (const std::string& key : spec.item_keys()) {
    idempotency_[key] = seq;
    changes->idempotency_keys.emplace_back(key, seq);
  }
  changes->jobs.insert(seq);
  changes->new_jobs.push_back(seq);
  MaybeFinish(entry, now, changes);  // an empty source ends at once
  return job;
}

void TaskTable::Refill(uint64_t seq, JobEntry& entry) {
  if (entry.splitter == nullptr || entry.job.state() != v1::JOB_RUNNING) return;
  const uint64_t total = entry.job.counts().total();
  while (entry.next_index < total && ready_.ReadyCount(seq) < kMaterializeWindow) {
    Materialize(seq, entry, entry.next_index++);
  }
}

void TaskTable::Materialize(uint64_t seq, JobEntry& entry, uint64_t index) {
  v1::Task& task = entry.live[index];
  task.set_job_id(entry.job.job_id());
  task.set_index(index);
  task.set_state(v1::TASK_PENDING);
  for (std::string& item : entry.splitter->TaskItems(index)) task.add_items(std::move(item));
  ready_.PushReady({seq, index});
}

absl::StatusOr<const v1::Job*> TaskTable::CancelJob(absl::string_view job_id, absl::Time now,
                                                    ChangeSet* changes) {
  JobEntry* entry = FindEntry(job_id);
  if (entry == nullptr) return NoJobError(job_id);
  if (entry->job.state() != v1::JOB_RUNNING) return &entry->job;
  CancelLiveTasks(*entry, "job cancelled", now, changes);
  FinishJob(*entry, v1::JOB_CANCELLED, "cancelled by request", now);
  changes->jobs.insert(SeqFromJobId(job_id).value());
  return &entry->job;
}

void TaskTable::CancelLiveTasks(JobEntry& entry, absl::string_view reason, absl::Time now,
                                ChangeSet* changes) {
  const uint64_t seq = SeqFromJobId(entry.job.job_id()).value();
  v1::TaskError error;
  error.set_code(v1::ERROR_CANCELLED);
  error.set_message(std::string(reason));
  for (auto& [index, task] : entry.live) {
    if (task.state() == v1::TASK_LEASED) {
      // Its handler ran until now (or is about to stop): billed for the lease's age, as Lambda
      // bills an invocation that is stopped. Its worker's later report is stale and adds nothing.
      // Not billed when its worker's last renewal said it still waited in the queue.
      if (task.attempts_size() > 0 && !task.attempts(task.attempts_size() - 1).handler_waiting()) {
        v1::TaskOutcome stopped;
        stopped.mutable_error()->set_code(v1::ERROR_CANCELLED);
        ToProto(now - FromProto(task.attempts(task.attempts_size() - 1).leased_at()),
                stopped.mutable_duration());
        MeterInvocation(entry, task, stopped, now);
      }
      EndAttempt(entry, task, v1::TASK_CANCELLED, &error, /*reported=*/false, now);
    } else if (task.state() == v1::TASK_PENDING) {
      entry.partial -= task.progress();
      Move(entry, v1::TASK_PENDING, v1::TASK_CANCELLED);
      task.set_state(v1::TASK_CANCELLED);
      *task.mutable_error() = error;
      ToProto(now, task.mutable_finished_at());
    } else {
      continue;
    }
    changes->tasks.insert({seq, index});
  }
  // What is still pending now was never materialized: cancelled in the counts only, its records
  // stay unwritten (a redrive brings them back from tasks_materialized on).
  entry.job.set_tasks_materialized(entry.next_index);
  const uint64_t unmaterialized = entry.job.counts().pending();
  if (unmaterialized > 0) Move(entry, v1::TASK_PENDING, v1::TASK_CANCELLED, unmaterialized);
  entry.next_index = entry.job.counts().total();
}

void TaskTable::FinishJob(JobEntry& entry, v1::JobState state, std::string message,
                          absl::Time now) {
  entry.job.set_state(state);
  entry.job.set_message(std::move(message));
  ToProto(now, entry.job.mutable_finished_at());
  const uint64_t seq = SeqFromJobId(entry.job.job_id()).value();
  ready_.RemoveJob(seq);
  entry.splitter.reset();
  StartFanIn(seq, entry);
}

void TaskTable::MaybeFinish(JobEntry& entry, absl::Time now, ChangeSet* changes) {
  v1::Job& job = entry.job;
  if (job.state() != v1::JOB_RUNNING) return;
  const v1::TaskCounts& c = job.counts();
  if (ExceedsTolerance(job)) {
    CancelLiveTasks(entry, "stopped: the job failed more tasks than it tolerates", now, changes);
    FinishJob(entry, v1::JOB_FAILED,
              absl::StrCat(Failures(c), " of ", Counted(c.total(), "task"),
                           " failed, more than the job tolerates; stopped the rest"),
              now);
    return;
  }
  if (c.pending() + c.running() > 0 || !ListingDone(job)) return;
  const uint64_t failures = Failures(c);
  if (failures == 0 || HasTolerance(job.spec().options())) {
    FinishJob(
        entry, v1::JOB_SUCCEEDED,
        failures == 0 ? "" : absl::StrCat(Counted(failures, "task"), " failed, within tolerance"),
        now);
  } else {
    FinishJob(entry, v1::JOB_FAILED,
              absl::StrCat(failures, " of ", Counted(c.total(), "task"), " failed"), now);
  }
}

void TaskTotals::Count(v1::TaskState to, uint64_t n) {
  switch (to) {
    case v1::TASK_LEASED:
      dispatched += n;
      break;
    case v1::TASK_SUCCEEDED:
      succeeded += n;
      break;
    case v1::TASK_FAILED:
      failed += n;
      break;
    case v1::TASK_DEAD:
      dead += n;
      break;
    case v1::TASK_CANCELLED:
      cancelled += n;
      break;
    default:
      break;
  }
}

void TaskTable::Move(JobEntry& entry, v1::TaskState from, v1::TaskState to, uint64_t n) {
  v1::TaskCounts& c = *entry.job.mutable_counts();
  AddCount(c, from, -static_cast<int64_t>(n));
  AddCount(c, to, static_cast<int64_t>(n));
  RefreshProgress(entry);
  totals_.Count(to, n);
}

void TaskTable::RefreshProgress(JobEntry& entry) {
  const v1::TaskCounts& c = entry.job.counts();
  const uint64_t ended = c.succeeded() + c.failed() + c.dead() + c.cancelled();
  // While a sequential source is still read the total grows: nothing is "all done" before that.
  const double progress =
      c.total() == 0 ? (ListingDone(entry.job) ? 1.0 : 0.0) : (ended + entry.partial) / c.total();
  entry.job.set_progress(std::clamp(progress, 0.0, 1.0));
}

absl::StatusOr<const v1::Job*> TaskTable::SetMaxConcurrency(absl::string_view job_id,
                                                            uint32_t limit, ChangeSet* changes) {
  JobEntry* entry = FindEntry(job_id);
  if (entry == nullptr) return NoJobError(job_id);
  if (entry->job.state() != v1::JOB_RUNNING) {
    return absl::FailedPreconditionError(absl::StrCat("job_id: ", job_id, " has ended"));
  }
  entry->job.set_max_concurrency(limit);
  changes->jobs.insert(SeqFromJobId(job_id).value());
  return &entry->job;
}

std::vector<const v1::Job*> TaskTable::ListJobs(uint64_t before_seq, size_t limit) const {
  std::vector<const v1::Job*> out;
  auto it = before_seq == 0 ? jobs_.end() : jobs_.lower_bound(before_seq);
  while (it != jobs_.begin() && out.size() < limit) {
    --it;
    out.push_back(&it->second.job);
  }
  return out;
}

std::optional<absl::Time> TaskTable::NextWakeup() const {
  std::optional<absl::Time> a = leases_.NextExpiry();
  std::optional<absl::Time> b = ready_.NextDue();
  if (!a) return b;
  if (!b) return a;
  return std::min(*a, *b);
}

void TaskTable::Retire(const ChangeSet& changes) {
  for (const TaskKey& key : changes.tasks) {
    auto job = jobs_.find(key.job_seq);
    if (job == jobs_.end()) continue;
    auto it = job->second.live.find(key.index);
    if (it == job->second.live.end()) continue;
    const v1::TaskState s = it->second.state();
    if (s != v1::TASK_PENDING && s != v1::TASK_LEASED) job->second.live.erase(it);
  }
}

}  // namespace fanout::coordinator
