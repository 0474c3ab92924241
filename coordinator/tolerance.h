// Tolerated failures: a job whose failed + dead tasks exceed its threshold stops dispatching and
// ends FAILED. With no threshold set, every task runs and the job ends FAILED if any task failed.
#ifndef FANOUT_COORDINATOR_TOLERANCE_H_
#define FANOUT_COORDINATOR_TOLERANCE_H_

#include "proto/fanout.pb.h"

namespace fanout::coordinator {

inline bool HasTolerance(const v1::JobOptions& o) {
  return o.tolerated_failure_percent() > 0 || o.tolerated_failure_count() > 0;
}

inline uint64_t Failures(const v1::TaskCounts& c) { return c.failed() + c.dead(); }

// Whether every task of the job is known: a sequential source's listing ended (a job of another
// source, or one stored before listings were tracked, has all its tasks from the start).
inline bool ListingDone(const v1::Job& job) { return !job.sequential() || job.split_done(); }

// True when a job with a threshold has more failures than it tolerates.
inline bool ExceedsTolerance(const v1::Job& job) {
  const v1::JobOptions& o = job.spec().options();
  if (!HasTolerance(o)) return false;
  const uint64_t failures = Failures(job.counts());
  if (o.tolerated_failure_count() > 0 && failures > o.tolerated_failure_count()) return true;
  // A percentage of a total still growing would judge the whole job by its first chunks.
  if (o.tolerated_failure_percent() > 0 && job.counts().total() > 0 && ListingDone(job) &&
      100.0 * failures / job.counts().total() > o.tolerated_failure_percent()) {
    return true;
  }
  return o.tolerated_failure_count() == 0 && o.tolerated_failure_percent() == 0 && failures > 0;
}

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_TOLERANCE_H_
