#include "trigger/message_events.h"

#include <limits>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/guard.h"
#include "common/json_text.h"
#include "common/utf8.h"
#include "glog/logging.h"
#include "nlohmann/json.hpp"
#include "s3/sigv4.h"
#include "trigger/s3_event.h"

namespace fanout::trigger {

using nlohmann::json;

std::string PublisherIdKey(absl::string_view id) {
  if (IsValidUtf8(id) && id.size() <= 512) return absl::StrCat("id/", id);
  return absl::StrCat("id-sha256/", s3::Sha256Hex(id));
}

std::string BodyItem(absl::string_view body) {
  if (!IsValidUtf8(body)) return DumpJson(json{{"base64", absl::Base64Escape(body)}});
  absl::StatusOr<json> parsed = ParseJson(body, "body");
  return DumpJson(parsed.ok() ? *parsed : json(std::string(body)));
}

absl::StatusOr<std::vector<v1::JobSpec>> MessageJobs(const Rule& rule, absl::string_view body,
                                                     const std::string& message_id,
                                                     std::vector<std::string>* rejected) {
  std::vector<v1::JobSpec> jobs;
  absl::StatusOr<json> parsed =
      IsValidUtf8(body) ? ParseJson(body, "body") : absl::InvalidArgumentError("binary");
  // JSON nested past the limit (it is JSON without one) is no item anyone could use: refused,
  // never carried as a string.
  if (!parsed.ok() && IsJsonText(body, std::numeric_limits<int>::max())) return parsed.status();
  if (parsed.ok() && parsed->is_object() && parsed->contains("Records")) {
    absl::StatusOr<S3Records> records = ParseS3Events(*parsed);
    if (!records.ok()) return records.status();
    if (records->events.empty() && !records->rejected.empty()) {
      return absl::InvalidArgumentError(records->rejected.front());
    }
    for (const S3Event& event : records->events) {
      if (Matches(rule.filter, event)) jobs.push_back(S3EventJob(rule, event));
    }
    if (rejected != nullptr) *rejected = std::move(records->rejected);
    return jobs;
  }
  const std::string item = parsed.ok() ? DumpJson(*parsed) : BodyItem(body);
  jobs.push_back(EventJob(rule.job, rule.name, item,
                          absl::StrCat(rule.source, "/", rule.name, "/", message_id)));
  return jobs;
}

std::vector<Delivered> DeliverMessages(const Rule& rule, JobSubmitter& submitter,
                                       const std::vector<Message>& messages) {
  std::vector<Delivered> out(messages.size());
  std::vector<v1::JobSpec> jobs;
  std::vector<size_t> owner;  // the message of each job
  for (size_t m = 0; m < messages.size(); ++m) {
    std::vector<std::string> rejected;
    absl::StatusOr<std::vector<v1::JobSpec>> made = Guarded(
        "message", [&] { return MessageJobs(rule, messages[m].body, messages[m].id, &rejected); });
    if (!made.ok()) {
      out[m] = {Delivery::kRejected, std::string(made.status().message())};
      continue;
    }
    for (const std::string& r : rejected) {
      LOG(WARNING) << rule.source << " " << rule.name << ": " << messages[m].id
                   << ": record refused: " << r;
    }
    for (v1::JobSpec& job : *made) {
      jobs.push_back(std::move(job));
      owner.push_back(m);
    }
  }
  // All in one call (one disk sync). The coordinator away: the message again, later (what was
  // taken is known by its keys). Else a refused job rejects its message, the others taken.
  const std::vector<absl::StatusOr<Submitted>> answers = submitter.SubmitAll(jobs);
  for (size_t j = 0; j < answers.size(); ++j) {
    Delivered& d = out[owner[j]];
    if (answers[j].ok() || d.delivery == Delivery::kRetryLater) continue;
    const bool away = answers[j].status().code() == absl::StatusCode::kUnavailable;
    if (!away && d.delivery == Delivery::kRejected) continue;  // the first refusal is told
    d = {away ? Delivery::kRetryLater : Delivery::kRejected,
         std::string(answers[j].status().message())};
  }
  return out;
}

Delivery DeliverMessage(const Rule& rule, JobSubmitter& submitter, absl::string_view body,
                        const std::string& message_id, std::string* why) {
  Delivered d = DeliverMessages(rule, submitter, {{std::string(body), message_id}}).front();
  *why = std::move(d.why);
  return d.delivery;
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
