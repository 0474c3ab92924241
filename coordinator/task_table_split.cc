// TaskTable: jobs over sequential sources, whose tasks arrive in chunks while the job runs.
#include "absl/strings/str_cat.h"
#include "common/proto_time.h"
#include "coordinator/task_table.h"

namespace fanout::coordinator {

absl::Status TaskTable::AppendTasks(uint64_t job_seq, std::vector<NewTask> tasks,
                                    std::string cursor, bool done, absl::Time now,
                                    ChangeSet* changes) {
  auto it = jobs_.find(job_seq);
  if (it == jobs_.end() && job_seq < next_job_seq_) {  // ended, and left memory since
    return absl::FailedPreconditionError(absl::StrCat("job ", job_seq, " has ended"));
  }
  if (it == jobs_.end()) return absl::NotFoundError(absl::StrCat("no job ", job_seq));
  JobEntry& entry = it->second;
  if (entry.job.state() != v1::JOB_RUNNING || !entry.sequential || entry.job.split_done()) {
    return absl::FailedPreconditionError(
        absl::StrCat(entry.job.job_id(), " takes no more tasks (it ended, or its source did)"));
  }
  v1::TaskCounts& c = *entry.job.mutable_counts();
  for (NewTask& t : tasks) {
    const uint64_t index = entry.next_index++;
    v1::Task& task = entry.live[index];
    task.set_job_id(entry.job.job_id());
    task.set_index(index);
    for (std::string& item : t.items) task.add_items(std::move(item));
    c.set_total(c.total() + 1);
    entry.job.set_items_total(entry.job.items_total() + task.items_size());
    if (t.error.empty()) {
      task.set_state(v1::TASK_PENDING);
      ToProto(now, task.mutable_pending_since());
      c.set_pending(c.pending() + 1);
      ready_.PushReady({job_seq, index});
    } else {
      // A bad entry of the source: its task fails as invalid input, the job goes on.
      task.set_state(v1::TASK_FAILED);
      task.mutable_error()->set_code(v1::ERROR_INVALID_INPUT);
      task.mutable_error()->set_message(std::move(t.error));
      ToProto(now, task.mutable_finished_at());
      c.set_failed(c.failed() + 1);
      totals_.Count(v1::TASK_FAILED);
    }
    changes->tasks.insert({job_seq, index});
  }
  entry.job.set_split_cursor(std::move(cursor));
  entry.job.set_split_done(done);
  entry.job.set_tasks_materialized(entry.next_index);
  RefreshProgress(entry);
  changes->jobs.insert(job_seq);
  MaybeFinish(entry, now, changes);
  return absl::OkStatus();
}

absl::Status TaskTable::FailJob(uint64_t job_seq, absl::string_view why, absl::Time now,
                                ChangeSet* changes) {
  auto it = jobs_.find(job_seq);
  if (it == jobs_.end() && job_seq < next_job_seq_) return absl::OkStatus();  // ended already
  if (it == jobs_.end()) return absl::NotFoundError(absl::StrCat("no job ", job_seq));
  JobEntry& entry = it->second;
  if (entry.job.state() != v1::JOB_RUNNING) return absl::OkStatus();
  CancelLiveTasks(entry, absl::StrCat("stopped: ", why), now, changes);
  FinishJob(entry, v1::JOB_FAILED, std::string(why), now);
  changes->jobs.insert(job_seq);
  return absl::OkStatus();
}

std::vector<SplitWork> TaskTable::PendingSplits() const {
  std::vector<SplitWork> out;
  for (const auto& [seq, entry] : jobs_) {
    if (!entry.sequential || entry.job.state() != v1::JOB_RUNNING || entry.job.split_done()) {
      continue;
    }
    out.push_back({seq, entry.job.job_id(), entry.job.spec(), entry.job.split_cursor(),
                   ready_.ReadyCount(seq)});
  }
  return out;
}

}  // namespace fanout::coordinator
