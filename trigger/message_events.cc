#include "trigger/message_events.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "glog/logging.h"
#include "nlohmann/json.hpp"
#include "trigger/s3_event.h"

namespace fanout::trigger {

using nlohmann::json;

absl::StatusOr<std::vector<v1::JobSpec>> MessageJobs(const Rule& rule, absl::string_view body,
                                                     const std::string& message_id) {
  std::vector<v1::JobSpec> jobs;
  const json parsed = json::parse(body.begin(), body.end(), nullptr, false);
  if (parsed.is_object() && parsed.contains("Records")) {
    absl::StatusOr<std::vector<S3Event>> events = ParseS3Events(parsed);
    if (!events.ok()) return events.status();
    for (const S3Event& event : *events) {
      if (Matches(rule.filter, event)) jobs.push_back(S3EventJob(rule, event));
    }
    return jobs;
  }
  const std::string item =
      parsed.is_discarded()
          ? json(std::string(body)).dump(-1, ' ', false, json::error_handler_t::replace)
          : parsed.dump();
  jobs.push_back(EventJob(rule.job, rule.name, item,
                          absl::StrCat(rule.source, "/", rule.name, "/", message_id)));
  return jobs;
}

Delivery DeliverMessage(const Rule& rule, JobSubmitter& submitter, absl::string_view body,
                        const std::string& message_id, std::string* why) {
  absl::StatusOr<std::vector<v1::JobSpec>> jobs = MessageJobs(rule, body, message_id);
  if (!jobs.ok()) {
    *why = std::string(jobs.status().message());
    return Delivery::kRejected;
  }
  for (const v1::JobSpec& job : *jobs) {
    absl::StatusOr<Submitted> submitted = submitter.Submit(job);
    if (submitted.ok()) continue;
    *why = std::string(submitted.status().message());
    return submitted.status().code() == absl::StatusCode::kUnavailable ? Delivery::kRetryLater
                                                                       : Delivery::kRejected;
  }
  return Delivery::kAccepted;
}

Delivery DeliverPatiently(const Rule& rule, JobSubmitter& submitter, absl::string_view body,
                          const std::string& message_id, const std::atomic<bool>& stop,
                          const std::function<void()>& keep_alive, std::string* why) {
  Delivery d;
  while ((d = DeliverMessage(rule, submitter, body, message_id, why)) == Delivery::kRetryLater &&
         !stop) {
    LOG_EVERY_N(WARNING, 10) << rule.source << " " << rule.name << ": " << message_id << ": "
                             << *why;
    keep_alive();
    absl::SleepFor(absl::Milliseconds(500));
  }
  return d;
}

}  // namespace fanout::trigger
