// TaskTable: how long idempotency keys are kept.
#include "common/proto_time.h"
#include "coordinator/task_table.h"

namespace fanout::coordinator {

size_t TaskTable::ExpireIdempotencyKeys(absl::Time created_before, ChangeSet* changes) {
  size_t expired = 0;
  for (auto it = idempotency_.begin(); it != idempotency_.end();) {
    const v1::Job* job = JobBySeq(it->second);
    // A running job keeps its key whatever its age: a resubmission must not start it twice.
    if (job != nullptr && job->state() != v1::JOB_RUNNING &&
        FromProto(job->created_at()) < created_before) {
      changes->expired_idempotency_keys.push_back(it->first);
      idempotency_.erase(it++);
      ++expired;
    } else {
      ++it;
    }
  }
  return expired;
}

}  // namespace fanout::coordinator
