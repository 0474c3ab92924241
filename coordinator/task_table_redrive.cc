// TaskTable: redrive — giving a finished job's failed tasks another run, any time later.
#include "absl/strings/str_cat.h"
#include "common/plural.h"
#include "common/proto_time.h"
#include "coordinator/task_table.h"

namespace fanout::coordinator {
namespace {

// A job that ended FAILED with cancelled tasks was stopped by its failure threshold.
bool StoppedByThreshold(const v1::Job& job) {
  return job.state() == v1::JOB_FAILED && job.counts().cancelled() > 0;
}

}  // namespace

absl::StatusOr<uint64_t> TaskTable::RedrivableJob(absl::string_view job_id) const {
  const v1::Job* job = FindJob(job_id);
  if (job == nullptr) return NoJobError(job_id);
  if (job->state() == v1::JOB_RUNNING) {
    return absl::FailedPreconditionError(
        absl::StrCat("job_id: ", job_id, " is still running; redrive it once it has ended"));
  }
  if (job->state() == v1::JOB_CANCELLED) {
    return absl::FailedPreconditionError(
        absl::StrCat("job_id: ", job_id, " was cancelled; submit it again instead"));
  }
  return SeqFromJobId(job_id).value();
}

bool TaskTable::Redrivable(const v1::Job& job, const v1::Task& task) {
  if (task.state() == v1::TASK_DEAD || task.state() == v1::TASK_FAILED) return true;
  return task.state() == v1::TASK_CANCELLED && StoppedByThreshold(job);
}

absl::StatusOr<uint64_t> TaskTable::Redrive(uint64_t job_seq, std::vector<v1::Task> records,
                                            bool from_scratch, absl::Time now, ChangeSet* changes) {
  JobEntry& entry = jobs_.at(job_seq);
  const v1::Job before = entry.job;
  if (before.state() == v1::JOB_RUNNING || before.state() == v1::JOB_CANCELLED) {
    return absl::FailedPreconditionError(absl::StrCat(
        "job_id: ", before.job_id(), " is ",
        before.state() == v1::JOB_RUNNING ? "running again (redriven meanwhile?)" : "cancelled"));
  }
  const uint64_t total = before.counts().total();
  // A sequential job has written all its tasks; if a threshold stopped its listing, the listing
  // simply resumes from its cursor.
  const uint64_t unwritten = StoppedByThreshold(before) && !entry.sequential
                                 ? total - std::min(total, before.tasks_materialized())
                                 : 0;
  uint64_t count = unwritten;
  for (const v1::Task& t : records) count += Redrivable(before, t);
  if (count == 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("job_id: ", before.job_id(), " has no dead or failed tasks to redrive"));
  }
  if (!entry.sequential) {
    absl::StatusOr<std::unique_ptr<Splitter>> splitter =
        MakeSplitter(before.spec().source(), before.spec().options().batch_size());
    if (!splitter.ok()) return absl::FailedPreconditionError(splitter.status().message());
    entry.splitter = std::move(*splitter);
  }
  entry.job.set_state(v1::JOB_RUNNING);
  entry.job.clear_finished_at();
  entry.job.set_message(absl::StrCat("redriven: ", Counted(count, "task"), " re-queued"));
  entry.job.set_redrives(entry.job.redrives() + 1);
  entry.job.clear_fan_in();
  fan_in_pending_.erase(job_seq);
  ready_.AddJob(job_seq, entry.job.spec().options().priority());
  for (v1::Task& t : records) {
    if (!Redrivable(before, t)) continue;
    const v1::TaskState from = t.state();
    t.set_state(v1::TASK_PENDING);
    t.set_attempt(0);
    t.set_continuations(0);
    t.set_stalled_continuations(0);
    t.clear_not_before();
    t.clear_finished_at();
    t.clear_lease_expires_at();
    t.clear_error();
    t.clear_results();
    ToProto(now, t.mutable_pending_since());
    if (from_scratch) {
      t.clear_checkpoint();
      t.set_progress(0);
    }
    entry.partial += t.progress();
    Move(entry, from, v1::TASK_PENDING);
    const TaskKey key{job_seq, t.index()};
    changes->tasks.insert(key);
    ready_.PushReady(key);
    entry.live[t.index()] = std::move(t);
  }
  // Tasks the threshold kept from ever materializing have no records: materialize them again.
  entry.next_index = total - unwritten;
  if (unwritten > 0) Move(entry, v1::TASK_CANCELLED, v1::TASK_PENDING, unwritten);
  Refill(job_seq, entry);
  changes->jobs.insert(job_seq);
  return count;
}

}  // namespace fanout::coordinator
