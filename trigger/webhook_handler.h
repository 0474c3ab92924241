// What the webhook does with one POST of S3 event notifications: checks the whole body first (a
// malformed body or an unknown event submits nothing), then submits one job per event and
// matching webhook rule, and answers 2xx only once the coordinator accepted every one of them —
// the uploader's PUT may be waiting on this answer, and a 5xx makes a persistent topic redeliver.
#ifndef FANOUT_TRIGGER_WEBHOOK_HANDLER_H_
#define FANOUT_TRIGGER_WEBHOOK_HANDLER_H_

#include <atomic>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "common/http_server.h"
#include "nlohmann/json.hpp"
#include "trigger/config.h"
#include "trigger/event_batcher.h"
#include "trigger/job_submitter.h"
#include "trigger/s3_event.h"

namespace fanout::trigger {

struct HttpReply {
  int status = 200;
  std::string body;  // JSON
};

// Thread-safe (its counters are atomic; the config is read-only).
class WebhookHandler {
 public:
  WebhookHandler(const TriggerConfig& config, JobSubmitter& submitter)
      : config_(config), submitter_(submitter), batcher_(submitter) {}

  HttpReply Handle(absl::string_view body);
  // The webhook's HTTP route: POST on any path hands its body to Handle; a body declared over the
  // limit is refused (413) unread.
  HttpResponse Serve(const HttpRequest& request);
  // A body longer than the configured limit, refused unread.
  HttpReply TooLarge(long long length);

  struct Counts {
    std::atomic<uint64_t> received{0}, accepted{0}, duplicates{0}, ignored{0}, rejected{0};
  };
  const Counts& counts() const { return counts_; }

 private:
  HttpReply Reject(int status, absl::string_view why);
  HttpReply HandleEvents(const nlohmann::json& root);  // {"Records": [...]}
  // What the submissions of one post came to.
  struct Outcome {
    uint64_t accepted = 0, duplicates = 0;
    nlohmann::json jobs = nlohmann::json::array();
    std::vector<std::string> refused;  // events the coordinator would not take, and why
    std::string unavailable;           // non-empty: the coordinator did not answer
  };
  // Submits `events` under `rule` (as one batch or one job each) into `outcome`.
  void SubmitRule(const Rule& rule, const std::vector<const S3Event*>& events, Outcome* outcome);
  HttpReply HandleSns(const nlohmann::json& envelope);

  const TriggerConfig& config_;
  JobSubmitter& submitter_;
  EventBatcher batcher_;  // for rules with a batching window
  Counts counts_;
};

}  // namespace fanout::trigger

#endif  // FANOUT_TRIGGER_WEBHOOK_HANDLER_H_
