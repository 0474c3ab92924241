// The batching window of a webhook rule ("batch": {"max_events": N, "max_wait": "200ms"}): events
// arriving together become one job of up to N items, submitted when the batch is full or
// `max_wait` after its first event. Each caller waits for its batch to be accepted, so an event is
// still acknowledged only after the coordinator took it; every item carries its event's key
// (JobSpec.item_keys), so an event delivered again into another batch is left out there.
#ifndef FANOUT_TRIGGER_EVENT_BATCHER_H_
#define FANOUT_TRIGGER_EVENT_BATCHER_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "trigger/config.h"
#include "trigger/job_submitter.h"

namespace fanout::trigger {

// Thread-safe: the webhook's threads add to it at once (that is what fills a batch).
class EventBatcher {
 public:
  explicit EventBatcher(JobSubmitter& submitter) : submitter_(submitter) {}

  // Adds events of `rule` (one key per item) and blocks until the batch holding them was
  // submitted; returns that submission's answer. Events added together stay in one batch, even
  // past max_events.
  absl::StatusOr<Submitted> Add(const Rule& rule, const std::vector<std::string>& items,
                                const std::vector<std::string>& keys);

  // The job of a batch: the rule's template over the items, one key per item.
  static v1::JobSpec BatchJob(const Rule& rule, const std::vector<std::string>& items,
                              const std::vector<std::string>& keys);

 private:
  struct Batch {
    std::vector<std::string> items, keys;
    absl::Time deadline;
    bool flushing = false, done = false;
    absl::StatusOr<Submitted> result = absl::UnknownError("not submitted");
  };
  // Submits `batch` (the caller's lock is released meanwhile) and wakes its waiters.
  void Flush(const Rule& rule, const std::shared_ptr<Batch>& batch)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  JobSubmitter& submitter_;
  absl::Mutex mu_;
  std::map<std::string, std::shared_ptr<Batch>> open_ ABSL_GUARDED_BY(mu_);  // by rule name
};

}  // namespace fanout::trigger

#endif  // FANOUT_TRIGGER_EVENT_BATCHER_H_
