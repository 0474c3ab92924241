// Reconciliation for S3 rules: a periodic ListObjectsV2 of each rule's bucket and prefix that
// submits the objects modified within the look-back window, keyed exactly like their events. RGW's
// plain HTTP push is lost for good while the webhook is down; this finds those objects, and costs
// only a deduplicated SubmitJob for every object whose event did arrive.
#ifndef FANOUT_TRIGGER_RECONCILER_H_
#define FANOUT_TRIGGER_RECONCILER_H_

#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "s3/s3_client.h"
#include "trigger/config.h"
#include "trigger/job_submitter.h"

namespace fanout::trigger {

class Reconciler {
 public:
  struct Pass {
    uint64_t listed = 0, submitted = 0;  // objects listed; jobs that were new
  };

  Reconciler(const TriggerConfig& config, JobSubmitter& submitter, const s3::S3Client& s3);
  ~Reconciler();  // stops the thread started by Start()

  // Runs every rule's reconciliation on its period, the first one at once, on its own thread.
  void Start();
  // One scan of `rule`'s bucket and prefix.
  absl::StatusOr<Pass> RunOnce(const Rule& rule);

 private:
  void Loop();

  const TriggerConfig& config_;
  JobSubmitter& submitter_;
  const s3::S3Client& s3_;
  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace fanout::trigger

#endif  // FANOUT_TRIGGER_RECONCILER_H_
