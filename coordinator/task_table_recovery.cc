// TaskTable: rebuilding memory from the records on disk, and describing tasks that were never
// written.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/proto_time.h"
#include "coordinator/task_table.h"

namespace fanout::coordinator {

void TaskTable::LoadJob(v1::Job job, bool keys) {
  const uint64_t seq = SeqFromJobId(job.job_id()).value();
  next_job_seq_ = std::max(next_job_seq_, seq + 1);
  JobEntry& entry = jobs_[seq];
  entry.sequential = job.sequential();
  if (job.state() == v1::JOB_RUNNING) {
    ready_.AddJob(seq, job.spec().options().priority());
    if (!entry.sequential) {
      absl::StatusOr<std::unique_ptr<Splitter>> splitter =
          MakeSplitter(job.spec().source(), job.spec().options().batch_size());
      if (splitter.ok()) entry.splitter = std::move(*splitter);
    }
  }
  entry.job = std::move(job);
  if (entry.job.fan_in().state() == v1::FanIn::FAN_IN_PENDING) fan_in_pending_.insert(seq);
  // Back in memory, a job is shown as it is, not by an old snapshot.
  if (recently_ended_state_.erase(seq) > 0) {
    recently_ended_.erase(std::remove_if(recently_ended_.begin(), recently_ended_.end(),
                                         [seq](const Ended& e) { return e.seq == seq; }),
                          recently_ended_.end());
  }
  if (!keys) return;
  const v1::JobSpec& spec = entry.job.spec();
  if (!spec.idempotency_key().empty()) idempotency_[spec.idempotency_key()] = seq;
  for (const std::string& key : spec.item_keys()) idempotency_[key] = seq;
}

void TaskTable::LoadTask(v1::Task task, absl::Time now, absl::Duration lease_grace) {
  const std::optional<uint64_t> seq = SeqFromJobId(task.job_id());
  auto job = seq ? jobs_.find(*seq) : jobs_.end();
  if (job == jobs_.end() || job->second.job.state() != v1::JOB_RUNNING) return;
  JobEntry& entry = job->second;
  if (entry.splitter == nullptr && !entry.sequential) {
    // FinishLoading fails the job; keep what is unfinished so that it gets cancelled and written.
    if (task.state() == v1::TASK_PENDING || task.state() == v1::TASK_LEASED) {
      entry.live[task.index()] = std::move(task);
    }
    return;
  }
  // Tasks of a sequential source are all written; elsewhere a gap was never written: re-derive it.
  while (!entry.sequential && entry.next_index < task.index()) {
    Materialize(*seq, entry, entry.next_index++);
  }
  entry.next_index = std::max(entry.next_index, task.index() + 1);
  const TaskKey key{*seq, task.index()};
  if (task.state() == v1::TASK_PENDING) {
    const absl::Time due = task.has_not_before() ? FromProto(task.not_before()) : now;
    if (due > now) {
      ready_.PushDelayed(key, due);
    } else {
      ready_.PushReady(key);
    }
  } else if (task.state() == v1::TASK_LEASED) {
    const absl::Time expiry = std::max(FromProto(task.lease_expires_at()), now + lease_grace);
    ToProto(expiry, task.mutable_lease_expires_at());
    if (task.attempts_size() > 0) {
      *task.mutable_attempts(task.attempts_size() - 1)->mutable_lease_expires_at() =
          task.lease_expires_at();
    }
    leases_.Add(key, task.epoch(), expiry);
    loaded_leases_.push_back(key);
  } else {
    return;  // ended: stays on disk only
  }
  entry.partial += task.progress();
  entry.live[task.index()] = std::move(task);
}

void TaskTable::GraceLoadedLeases(absl::Time now, absl::Duration lease_grace) {
  for (const TaskKey& key : loaded_leases_) {
    v1::Task* task = FindLive(key.job_seq, key.index);
    if (task == nullptr || task->state() != v1::TASK_LEASED) continue;
    const absl::Time expiry = std::max(FromProto(task->lease_expires_at()), now + lease_grace);
    ToProto(expiry, task->mutable_lease_expires_at());
    if (task->attempts_size() > 0) {
      *task->mutable_attempts(task->attempts_size() - 1)->mutable_lease_expires_at() =
          task->lease_expires_at();
    }
    leases_.Add(key, task->epoch(), expiry);  // the earlier entry is re-filed when it comes up
  }
  loaded_leases_.clear();
  loaded_leases_.shrink_to_fit();
}

void TaskTable::FinishLoading(absl::Time now, ChangeSet* changes) {
  for (auto& [seq, entry] : jobs_) {
    if (entry.job.state() != v1::JOB_RUNNING) continue;
    if (entry.sequential) {
      entry.next_index = std::max(entry.next_index, entry.job.counts().total());
      RefreshProgress(entry);
      continue;
    }
    if (entry.splitter == nullptr) {
      // Failed, not re-crashed: a job whose record or source cannot be used any more.
      const std::string why =
          entry.job.spec().function().empty()
              ? std::string("its stored record could not be read; failed at start-up")
              : absl::StrCat("source no longer splits: ",
                             MakeSplitter(entry.job.spec().source(), 1).status().message());
      CancelLiveTasks(entry, absl::StrCat("stopped: ", why), now, changes);
      FinishJob(entry, v1::JOB_FAILED, why, now);
      changes->jobs.insert(seq);
      continue;
    }
    RefreshProgress(entry);
    Refill(seq, entry);
  }
}

v1::Task TaskTable::UnwrittenTask(const v1::Job& job, uint64_t index,
                                  const Splitter* splitter) const {
  v1::Task task;
  task.set_job_id(job.job_id());
  task.set_index(index);
  if (splitter == nullptr) {
    auto resident = jobs_.find(SeqFromJobId(job.job_id()).value_or(0));
    if (resident != jobs_.end()) splitter = resident->second.splitter.get();
  }
  std::unique_ptr<Splitter> made;
  if (splitter == nullptr) {  // the job ended since the caller looked: rare, so made here
    absl::StatusOr<std::unique_ptr<Splitter>> s =
        MakeSplitter(job.spec().source(), job.spec().options().batch_size());
    if (s.ok()) splitter = (made = std::move(*s)).get();
  }
  if (splitter != nullptr && index < splitter->task_count()) {
    for (std::string& item : splitter->TaskItems(index)) task.add_items(std::move(item));
  }
  if (job.state() == v1::JOB_RUNNING) {
    task.set_state(v1::TASK_PENDING);
  } else {
    task.set_state(v1::TASK_CANCELLED);
    task.mutable_error()->set_code(v1::ERROR_CANCELLED);
    task.mutable_error()->set_message(
        absl::StrCat("never ran: the job ended ", JobStateName(job.state())));
    *task.mutable_finished_at() = job.finished_at();
  }
  return task;
}

}  // namespace fanout::coordinator
