// Fires a schedule rule's jobs at its cron times. Stateless across restarts: each fire is keyed
// "cron/RULE/TIME" and the coordinator keeps the key, so a restarted trigger (or two of them) never
// fires a time twice. A time is fired if the runner sees it no later than `grace` after it; one
// seen later was missed (the trigger was down or stalled) and the rule's policy decides: `skip`
// leaves it, `catch_up` fires the most recent missed time once. A fire the coordinator could not
// take is retried until it is.
#ifndef FANOUT_TRIGGER_SCHEDULE_RUNNER_H_
#define FANOUT_TRIGGER_SCHEDULE_RUNNER_H_

#include <optional>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "trigger/config.h"
#include "trigger/cron.h"
#include "trigger/job_submitter.h"

namespace fanout::trigger {

// Thread-compatible: Tick() is called from one thread (Start()'s, or a test's).
class ScheduleRunner {
 public:
  ScheduleRunner(Rule rule, CronSchedule schedule, Clock& clock, JobSubmitter& submitter);
  ~ScheduleRunner();

  // Fires what is due at the clock's time; returns when it should be called next.
  absl::Time Tick();
  // Calls Tick() at its times on a thread of its own (real time), until destroyed.
  void Start();
  uint64_t fired() const { return fired_; }
  // "schedule NAME: next run TIME (in 4m30s)": logged at the start and after each fire, so that a
  // rule that fires in five minutes does not look like one that never will.
  std::string NextRun() const;

  // The job of the fire at `at`: the rule's source if it has one (else one item naming the time),
  // with "scheduled_time" among the parameters; keyed by rule and time.
  static v1::JobSpec FireJob(const Rule& rule, absl::Time at);

 private:
  void Fire(absl::Time at);

  const Rule rule_;  // a copy: a runner outlives whatever it was made from
  const CronSchedule schedule_;
  Clock& clock_;
  JobSubmitter& submitter_;
  absl::Time next_;                    // the next scheduled time not yet dealt with
  std::optional<absl::Time> pending_;  // due, not yet accepted by the coordinator
  uint64_t fired_ = 0;

  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace fanout::trigger

#endif  // FANOUT_TRIGGER_SCHEDULE_RUNNER_H_
