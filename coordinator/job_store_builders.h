// Small builders for JobStore tests: specs, outcomes and checkpoints of leased tasks.
#ifndef FANOUT_COORDINATOR_JOB_STORE_BUILDERS_H_
#define FANOUT_COORDINATOR_JOB_STORE_BUILDERS_H_

#include <string>

#include "common/proto_time.h"
#include "proto/fanout.pb.h"
#include "proto/worker_service.pb.h"

namespace fanout::coordinator::builders {

// The lease TTL the conformance tests lease with.
inline constexpr absl::Duration kTtl = absl::Seconds(10);

inline v1::JobSpec Spec(uint32_t max_attempts = 3, const std::string& function = "builtin:noop") {
  v1::JobSpec spec;
  spec.set_function(function);
  spec.mutable_options()->set_max_attempts(max_attempts);
  ToProto(absl::Seconds(1), spec.mutable_options()->mutable_backoff_initial());
  return spec;
}

inline v1::TaskOutcome Outcome(const v1::LeasedTask& t) {
  v1::TaskOutcome o;
  *o.mutable_ref() = t.ref();
  return o;
}

// Results "r<item>" for each item.
inline v1::TaskOutcome Success(const v1::LeasedTask& t) {
  v1::TaskOutcome o = Outcome(t);
  for (const std::string& item : t.items()) o.mutable_results()->add_results("\"r" + item + "\"");
  return o;
}

inline v1::TaskOutcome Failure(const v1::LeasedTask& t, v1::ErrorCode code) {
  v1::TaskOutcome o = Outcome(t);
  o.mutable_error()->set_code(code);
  o.mutable_error()->set_message("boom");
  return o;
}

// Handed back unstarted (a draining worker).
inline v1::TaskOutcome Released(const v1::LeasedTask& t) {
  v1::TaskOutcome o = Outcome(t);
  o.set_released(true);
  return o;
}

inline v1::TaskOutcome Continued(const v1::LeasedTask& t) {
  v1::TaskOutcome o = Outcome(t);
  o.set_continued(true);
  return o;
}

inline v1::CheckpointEntry Cp(const v1::LeasedTask& t, const std::string& cursor, double progress) {
  v1::CheckpointEntry e;
  *e.mutable_ref() = t.ref();
  e.set_cursor(cursor);
  e.set_progress(progress);
  return e;
}

}  // namespace fanout::coordinator::builders

#endif  // FANOUT_COORDINATOR_JOB_STORE_BUILDERS_H_
