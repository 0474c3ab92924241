// TaskTable: the fan-in of ended jobs — which still need their manifests written, and recording
// what was written.
#include "absl/strings/str_cat.h"
#include "coordinator/task_table.h"

namespace fanout::coordinator {

bool NeedsFanIn(const v1::JobSpec& spec) {
  return !spec.reduce().empty() || (!spec.results().empty() && spec.results() != "store");
}

void TaskTable::StartFanIn(uint64_t seq, JobEntry& entry) {
  entry.job.clear_fan_in();
  if (!NeedsFanIn(entry.job.spec())) return;
  entry.job.mutable_fan_in()->set_state(v1::FanIn::FAN_IN_PENDING);
  fan_in_pending_.insert(seq);
}

std::vector<v1::Job> TaskTable::PendingFanIns() const {
  std::vector<v1::Job> out;
  out.reserve(fan_in_pending_.size());
  for (uint64_t seq : fan_in_pending_) out.push_back(jobs_.at(seq).job);
  return out;
}

absl::StatusOr<const v1::Job*> TaskTable::RecordFanIn(absl::string_view job_id, uint32_t redrives,
                                                      v1::FanIn fan_in, ChangeSet* changes) {
  JobEntry* entry = FindEntry(job_id);
  if (entry == nullptr) return NoJobError(job_id);
  // A redrive since the writing began makes what was written stale: the next end writes anew.
  if (entry->job.redrives() != redrives ||
      entry->job.fan_in().state() != v1::FanIn::FAN_IN_PENDING) {
    return absl::FailedPreconditionError(
        absl::StrCat("job_id: ", job_id, " was redriven while its manifests were written"));
  }
  *entry->job.mutable_fan_in() = std::move(fan_in);
  const uint64_t seq = SeqFromJobId(job_id).value();
  if (entry->job.fan_in().state() != v1::FanIn::FAN_IN_PENDING) fan_in_pending_.erase(seq);
  changes->jobs.insert(seq);
  return &entry->job;
}

}  // namespace fanout::coordinator
