// What the webhook does with one POST of S3 event notifications: decides which rules may take it
// (webhook_auth.h: a post no rule takes is refused 401 unparsed), checks the whole body (a
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
#include "trigger/sns_signature.h"
#include "trigger/webhook_auth.h"

namespace fanout::trigger {

struct HttpReply {
  int status = 200;
  std::string body;  // JSON
};

// Thread-safe (its counters are atomic; the config is read-only).
class WebhookHandler {
 public:
  // `fetch` gets the certificates of SNS signatures (rules with "auth": {"type": "sns"}).
  WebhookHandler(const TriggerConfig& config, JobSubmitter& submitter,
                 CertificateFetcher fetch = HttpsCertificateFetcher())
      : config_(config),
        submitter_(submitter),
        batcher_(submitter),
        authenticator_(config, std::move(fetch)) {}

  // A POST: its body's events go to the rules its path, headers or SNS signature admit it to.
  HttpReply Handle(const HttpRequest& request);
  // `body` as an unsigned POST to "/": taken by rules without auth only.
  HttpReply Handle(absl::string_view body);
  // The webhook's HTTP route: POST on any path is handed to Handle; a body declared over the
  // limit is refused (413) unread.
  HttpResponse Serve(const HttpRequest& request);
  // A body longer than the configured limit, refused unread.
  HttpReply TooLarge(long long length);

  struct Counts {
    std::atomic<uint64_t> received{0}, accepted{0}, duplicates{0}, ignored{0}, rejected{0};
    std::atomic<uint64_t> unauthorized{0};  // posts no rule admitted (also counted rejected)
  };
  const Counts& counts() const { return counts_; }

 private:
  HttpReply Reject(int status, absl::string_view why);
  // {"Records": [...]}, taken by the rules `admitted` marks (by index).
  HttpReply HandleEvents(const nlohmann::json& root, const std::vector<bool>& admitted);
  // What the submissions of one post came to.
  struct Outcome {
    uint64_t accepted = 0, duplicates = 0;
    nlohmann::json jobs = nlohmann::json::array();
    std::vector<std::string> refused;  // events the coordinator would not take, and why
    std::string unavailable;           // non-empty: the coordinator did not answer
  };
  // Submits `events` under `rule` (as one batch or one job each) into `outcome`.
  void SubmitRule(const Rule& rule, const std::vector<const S3Event*>& events, Outcome* outcome);
  HttpReply HandleSns(const nlohmann::json& envelope, const std::vector<bool>& admitted);

  const TriggerConfig& config_;
  JobSubmitter& submitter_;
  EventBatcher batcher_;  // for rules with a batching window
  const WebhookAuthenticator authenticator_;
  Counts counts_;
};

}  // namespace fanout::trigger

#endif  // FANOUT_TRIGGER_WEBHOOK_HANDLER_H_
