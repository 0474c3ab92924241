#include "trigger/webhook_handler.h"

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/json_text.h"
#include "common/utf8.h"
#include "glog/logging.h"
#include "nlohmann/json.hpp"
#include "trigger/s3_event.h"

namespace fanout::trigger {
namespace {

using nlohmann::json;

HttpReply Json(int status, const json& body) { return {status, DumpJson(body)}; }

// AWS posts a test event when a notification is configured; it carries no records.
bool IsTestEvent(const json& root) { return StringField(root, "Event") == "s3:TestEvent"; }

// AWS S3 reaches a webhook through an SNS topic with an HTTP(S) subscription: the S3 event is the
// envelope's Message, a JSON string.
bool IsSnsEnvelope(const json& root) {
  return root.is_object() && root.contains("Type") && root.contains("TopicArn");
}

}  // namespace

HttpReply WebhookHandler::HandleSns(const json& envelope, const std::vector<bool>& admitted) {
  const std::string type = StringField(envelope, "Type");
  if (type == "SubscriptionConfirmation") {
    // Confirming means fetching a URL named by an unauthenticated POST: left to the operator.
    LOG(WARNING) << "webhook: SNS asks to confirm the subscription of "
                 << Printable(StringField(envelope, "TopicArn"))
                 << "; to confirm, open its SubscribeURL: "
                 << Printable(StringField(envelope, "SubscribeURL"));
    return Json(200, {{"accepted", 0}, {"sns", "subscription confirmation logged"}});
  }
  // find(), not operator[]: a const json's operator[] on a missing key is undefined behaviour.
  const auto message = envelope.find("Message");
  if (type != "Notification" || message == envelope.end() || !message->is_string()) {
    return Json(200, {{"accepted", 0}, {"sns", type}});  // UnsubscribeConfirmation and the like
  }
  absl::StatusOr<json> events = ParseJson(message->get_ref<const std::string&>(), "Message");
  if (!events.ok()) return Reject(400, events.status().message());
  return HandleEvents(*events, admitted);
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
    reply = Handle(request);
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
  HttpRequest request;
  request.method = "POST";
  request.path = "/";
  request.body = std::string(body);
  return Handle(request);
}

HttpReply WebhookHandler::Handle(const HttpRequest& request) {
  ++counts_.received;
  const std::string& body = request.body;
  if (body.size() > config_.max_body_bytes) return TooLarge(body.size());
  // Before the body is parsed for events: a forged post costs no more than its check.
  const Admission admission = authenticator_.Admit(request);
  if (!admission.refused.ok()) {
    ++counts_.unauthorized;
    ++counts_.rejected;
    const int status = admission.refused.code() == absl::StatusCode::kUnavailable ? 503 : 401;
    LOG(WARNING) << "webhook: " << status << " to " << request.remote_address << ": "
                 << admission.refused.message();
    return Json(status, {{"error", admission.refused.message()}});
  }
  absl::StatusOr<json> parsed = ParseJson(body, "body");
  if (!parsed.ok()) return Reject(400, parsed.status().message());
  const json& root = *parsed;
  if (IsTestEvent(root)) return Json(200, {{"accepted", 0}, {"test_event", true}});
  if (IsSnsEnvelope(root)) return HandleSns(root, admission.admitted);
  return HandleEvents(root, admission.admitted);
}

HttpReply WebhookHandler::HandleEvents(const json& root, const std::vector<bool>& admitted) {
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
  uint64_t ignored = 0;
  for (const S3Event& event : *events) {
    bool matched = false;
    for (size_t r = 0; r < config_.rules.size(); ++r) {
      const Rule& rule = config_.rules[r];
      if (rule.source != "webhook" || !admitted[r] || !Matches(rule.filter, event)) continue;
      by_rule[r].push_back(&event);
      matched = true;
    }
    ignored += !matched;
  }
  Outcome outcome;
  for (size_t r = 0; r < config_.rules.size() && outcome.unavailable.empty(); ++r) {
    if (!by_rule[r].empty()) SubmitRule(config_.rules[r], by_rule[r], &outcome);
  }
  // The coordinator away: everything again (what was taken is known and answered as duplicate).
  if (!outcome.unavailable.empty()) return Reject(503, outcome.unavailable);
  std::vector<std::string> rejected = std::move(records->rejected);
  for (std::string& why : outcome.refused) rejected.push_back(std::move(why));
  if (outcome.accepted + outcome.duplicates == 0 && !outcome.refused.empty()) {
    return Reject(422, absl::StrJoin(outcome.refused, "; "));
  }
  counts_.accepted += outcome.accepted;
  counts_.duplicates += outcome.duplicates;
  counts_.ignored += ignored;
  counts_.rejected += rejected.size();
  json reply = {{"accepted", outcome.accepted},
                {"duplicates", outcome.duplicates},
                {"ignored", ignored},
                {"jobs", outcome.jobs}};
  if (!rejected.empty()) reply["rejected"] = rejected;
  return Json(200, reply);
}

void WebhookHandler::SubmitRule(const Rule& rule, const std::vector<const S3Event*>& events,
                                Outcome* outcome) {
  std::vector<std::string> items, keys;
  for (const S3Event* event : events) {
    items.push_back(EventItem(*event, rule.job.function(), rule.name));
    keys.push_back(EventIdempotencyKey(rule.name, *event));
  }
  // Batched, the post's events are one job; else one job each, all in one call (one disk sync),
  // and one refused event (a job the coordinator will not take) loses none of the others.
  std::vector<absl::StatusOr<Submitted>> answers;
  if (rule.batch.max_events > 1) {
    answers.push_back(batcher_.Add(rule, items, keys));
  } else {
    std::vector<v1::JobSpec> specs;
    specs.reserve(items.size());
    for (size_t i = 0; i < items.size(); ++i) {
      specs.push_back(EventJob(rule.job, rule.name, items[i], keys[i]));
    }
    answers = submitter_.SubmitAll(specs);
  }
  const uint64_t per_answer = rule.batch.max_events > 1 ? items.size() : 1;
  for (size_t i = 0; i < answers.size(); ++i) {
    const absl::StatusOr<Submitted>& submitted = answers[i];
    if (!submitted.ok()) {
      const std::string why = absl::StrCat("rule '", rule.name, "': s3://", events[i]->bucket, "/",
                                           events[i]->key, ": ", submitted.status().message());
      // The coordinator away: the post is answered 503 (the sender sends it all again).
      if (submitted.status().code() == absl::StatusCode::kUnavailable) {
        outcome->unavailable = why;
        return;
      }
      outcome->refused.push_back(why);
      continue;
    }
    (submitted->created ? outcome->accepted : outcome->duplicates) += per_answer;
    if (!submitted->job_id.empty()) outcome->jobs.push_back(submitted->job_id);
  }
}

}  // namespace fanout::trigger
