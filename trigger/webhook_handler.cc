#include "trigger/webhook_handler.h"

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/json_text.h"
#include "glog/logging.h"
#include "nlohmann/json.hpp"
#include "trigger/s3_event.h"

namespace fanout::trigger {
namespace {

using nlohmann::json;

HttpReply Json(int status, const json& body) { return {status, DumpJson(body)}; }

// AWS posts a test event when a notification is configured; it carries no records.
bool IsTestEvent(const json& root) {
  return root.is_object() && root.value("Event", "") == "s3:TestEvent";
}

// AWS S3 reaches a webhook through an SNS topic with an HTTP(S) subscription: the S3 event is the
// envelope's Message, a JSON string.
bool IsSnsEnvelope(const json& root) {
  return root.is_object() && root.contains("Type") && root.contains("TopicArn");
}

}  // namespace

HttpReply WebhookHandler::HandleSns(const json& envelope) {
  const std::string type = envelope.value("Type", "");
  if (type == "SubscriptionConfirmation") {
    // Confirming means fetching a URL named by an unauthenticated POST: left to the operator.
    LOG(WARNING) << "webhook: SNS asks to confirm the subscription of "
                 << envelope.value("TopicArn", "")
                 << "; to confirm, open its SubscribeURL: " << envelope.value("SubscribeURL", "");
    return Json(200, {{"accepted", 0}, {"sns", "subscription confirmation logged"}});
  }
  // find(), not operator[]: a const json's operator[] on a missing key is undefined behaviour.
  const auto message = envelope.find("Message");
  if (type != "Notification" || message == envelope.end() || !message->is_string()) {
    return Json(200, {{"accepted", 0}, {"sns", type}});  // UnsubscribeConfirmation and the like
  }
  absl::StatusOr<json> events = ParseJson(message->get_ref<const std::string&>(), "Message");
  if (!events.ok()) return Reject(400, events.status().message());
  return HandleEvents(*events);
}

HttpReply WebhookHandler::Reject(int status, absl::string_view why) {
  ++counts_.rejected;
  LOG(WARNING) << "webhook: " << status << ": " << why;
  return Json(status, {{"error", why}});
}

HttpResponse WebhookHandler::Serve(const HttpRequest& request) {
  HttpReply reply;
  if (request.method != "POST") {
    reply = {405, R"({"error": "POST S3 event notifications here"})"};
  } else if (request.content_length > static_cast<long long>(config_.max_body_bytes)) {
    reply = TooLarge(request.content_length);
  } else {
    reply = Handle(request.body);
  }
  return {reply.status, "application/json", std::move(reply.body)};
}

HttpReply WebhookHandler::TooLarge(long long length) {
  ++counts_.rejected;
  const std::string why =
      absl::StrCat("body: ", length, " bytes is over the limit of ", config_.max_body_bytes,
                   " (max_body_bytes in ", config_.path, ")");
  LOG(WARNING) << "webhook: 413: " << why;
  return Json(413, {{"error", why}});
}

HttpReply WebhookHandler::Handle(absl::string_view body) {
  ++counts_.received;
  if (body.size() > config_.max_body_bytes) return TooLarge(body.size());
  absl::StatusOr<json> parsed = ParseJson(body, "body");
  if (!parsed.ok()) return Reject(400, parsed.status().message());
  const json& root = *parsed;
  if (IsTestEvent(root)) return Json(200, {{"accepted", 0}, {"test_event", true}});
  if (IsSnsEnvelope(root)) return HandleSns(root);
  return HandleEvents(root);
}

HttpReply WebhookHandler::HandleEvents(const json& root) {
  absl::StatusOr<S3Records> records = ParseS3Events(root);
  if (!records.ok()) return Reject(400, records.status().message());
  // Every record bad: the sender's mistake, told as one. Some bad: the good ones are taken (a
  // 4xx would make AWS drop them all), the bad ones named in the answer and counted as rejected.
  if (records->events.empty() && !records->rejected.empty()) {
    return Reject(400, absl::StrJoin(records->rejected, "; "));
  }
  for (const std::string& why : records->rejected)
    LOG(WARNING) << "webhook: record refused: " << why;
  const std::vector<S3Event>* events = &records->events;
  // Each rule's events of this post: a batching rule takes them into its window at once.
  std::vector<std::vector<const S3Event*>> by_rule(config_.rules.size());
  uint64_t accepted = 0, duplicates = 0, ignored = 0;
  for (const S3Event& event : *events) {
    bool matched = false;
    for (size_t r = 0; r < config_.rules.size(); ++r) {
      const Rule& rule = config_.rules[r];
      if (rule.source != "webhook" || !Matches(rule.filter, event)) continue;
      by_rule[r].push_back(&event);
      matched = true;
    }
    ignored += !matched;
  }
  json jobs = json::array();
  for (size_t r = 0; r < config_.rules.size(); ++r) {
    if (by_rule[r].empty()) continue;
    const Rule& rule = config_.rules[r];
    std::vector<std::string> items, keys;
    for (const S3Event* event : by_rule[r]) {
      items.push_back(EventItem(*event));
      keys.push_back(EventIdempotencyKey(rule.name, *event));
    }
    // Batched, the post's events are one submission; else one job each.
    const bool batched = rule.batch.max_events > 1;
    for (size_t i = 0; i < (batched ? 1 : items.size()); ++i) {
      absl::StatusOr<Submitted> submitted =
          batched ? batcher_.Add(rule, items, keys)
                  : submitter_.Submit(EventJob(rule.job, rule.name, items[i], keys[i]));
      if (!submitted.ok()) {
        const bool later = submitted.status().code() == absl::StatusCode::kUnavailable;
        return Reject(later ? 503 : 422,
                      absl::StrCat("rule '", rule.name, "': s3://", by_rule[r][i]->bucket, "/",
                                   by_rule[r][i]->key, ": ", submitted.status().message()));
      }
      const uint64_t events = batched ? items.size() : 1;
      (submitted->created ? accepted : duplicates) += events;
      if (!submitted->job_id.empty()) jobs.push_back(submitted->job_id);
    }
  }
  counts_.accepted += accepted;
  counts_.duplicates += duplicates;
  counts_.ignored += ignored;
  counts_.rejected += records->rejected.size();
  json reply = {
      {"accepted", accepted}, {"duplicates", duplicates}, {"ignored", ignored}, {"jobs", jobs}};
  if (!records->rejected.empty()) reply["rejected"] = records->rejected;
  return Json(200, reply);
}

}  // namespace fanout::trigger
