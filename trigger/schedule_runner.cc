#include "trigger/schedule_runner.h"

#include "absl/strings/str_cat.h"
#include "common/json_text.h"
#include "glog/logging.h"
#include "nlohmann/json.hpp"

namespace fanout::trigger {
namespace {

using nlohmann::json;

std::string Rfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

}  // namespace

ScheduleRunner::ScheduleRunner(Rule rule, CronSchedule schedule, Clock& clock,
                               JobSubmitter& submitter)
    : rule_(std::move(rule)), schedule_(std::move(schedule)), clock_(clock), submitter_(submitter) {
  const absl::Time now = clock_.Now();
  const absl::Time previous = schedule_.Previous(now);
  // The latest time before the start: on time, or missed while no trigger ran. Firing it again
  // after a restart is harmless: its key makes it the job already made.
  if (previous != absl::InfinitePast() &&
      (now - previous <= rule_.schedule.grace || rule_.schedule.catch_up)) {
    pending_ = previous;
  }
  next_ = schedule_.Next(now);
}

ScheduleRunner::~ScheduleRunner() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

v1::JobSpec ScheduleRunner::FireJob(const Rule& rule, absl::Time at) {
  v1::JobSpec spec = rule.job;
  // The config's parameters were checked when it was read: an object.
  json params = ParseJson(spec.params_json().empty() ? "{}" : spec.params_json(), "params")
                    .value_or(json::object());
  if (!params.is_object()) params = json::object();
  params["scheduled_time"] = Rfc3339(at);
  spec.set_params_json(DumpJson(params));
  if (spec.source().empty()) {
    spec.set_source(
        DumpJson(json::array({{{"rule", rule.name}, {"scheduled_time", Rfc3339(at)}}})));
  }
  spec.set_idempotency_key(absl::StrCat("cron/", rule.name, "/", Rfc3339(at)));
  (*spec.mutable_labels())["trigger"] = rule.name;
  return spec;
}

std::string ScheduleRunner::NextRun() const {
  return absl::StrCat("schedule ", rule_.name, ": next run ", Rfc3339(next_), " (in ",
                      absl::FormatDuration(absl::Seconds(absl::ToInt64Seconds(
                          std::max(absl::ZeroDuration(), next_ - clock_.Now())))),
                      ")");
}

void ScheduleRunner::Fire(absl::Time at) {
  absl::StatusOr<Submitted> submitted = submitter_.Submit(FireJob(rule_, at));
  if (submitted.ok()) {
    pending_.reset();
    fired_ += submitted->created;
    LOG_IF(INFO, submitted->created) << "schedule " << rule_.name << ": " << Rfc3339(at)
                                     << " fired as " << submitted->job_id << "; " << NextRun();
  } else if (submitted.status().code() == absl::StatusCode::kUnavailable) {
    pending_ = at;  // again at the next tick: the key keeps it to one job
  } else {
    pending_.reset();
    LOG(ERROR) << "schedule " << rule_.name << ": " << Rfc3339(at)
               << " refused: " << submitted.status();
  }
}

absl::Time ScheduleRunner::Tick() {
  const absl::Time now = clock_.Now();
  if (pending_) Fire(*pending_);
  std::optional<absl::Time> missed;
  bool on_time = false;
  while (next_ <= now) {
    const absl::Time at = next_;
    next_ = schedule_.Next(at);
    if (now - at <= rule_.schedule.grace) {
      Fire(at);
      on_time = true;
    } else {
      missed = at;
    }
  }
  if (missed && !on_time && rule_.schedule.catch_up) Fire(*missed);
  if (missed) {
    LOG(WARNING) << "schedule " << rule_.name << ": missed up to " << Rfc3339(*missed)
                 << (rule_.schedule.catch_up ? " (caught up once)" : " (skipped)");
  }
  return pending_ ? std::min(next_, now + absl::Seconds(1)) : next_;
}

void ScheduleRunner::Start() {
  LOG(INFO) << NextRun();
  thread_ = std::thread([this] {
    while (true) {
      const absl::Time next = Tick();
      absl::MutexLock lock(&mu_);
      auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_; };
      if (mu_.AwaitWithTimeout(absl::Condition(&stopping), next - clock_.Now())) return;
    }
  });
}

}  // namespace fanout::trigger
