// Who may post a webhook rule's events, decided before anything of the post is parsed for events.
// A rule without "auth" takes every post (bind such a trigger to loopback: HasOpenWebhookRules);
// a rule with it only posts that carry its proof: an HMAC-SHA256 of the raw body in a header
// ("hmac"), its secret as the whole path ("path", for stores that cannot sign, such as Ceph RGW's
// push endpoint), or an SNS signature on a message from one of its topics ("sns").
#ifndef FANOUT_TRIGGER_WEBHOOK_AUTH_H_
#define FANOUT_TRIGGER_WEBHOOK_AUTH_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/http_server.h"
#include "nlohmann/json.hpp"
#include "trigger/config.h"
#include "trigger/sns_signature.h"

namespace fanout::trigger {

// What a post's credentials are worth to each rule of the config.
struct Admission {
  std::vector<bool> admitted;  // by rule index: whether rule i may take the post's events
  // OK unless every webhook rule has auth and none admitted the post. Then why, for the sender:
  // UNAUTHENTICATED (answer 401), or UNAVAILABLE (an SNS certificate could not be fetched: 503,
  // so that SNS delivers again).
  absl::Status refused;
};

// Thread-safe (the fetcher must be). Reads `config`, which must outlive it.
class WebhookAuthenticator {
 public:
  WebhookAuthenticator(const TriggerConfig& config, CertificateFetcher fetch)
      : config_(config), fetch_(std::move(fetch)) {}

  Admission Admit(const HttpRequest& request) const;

 private:
  // OK when `request` carries `auth`'s proof; `message` is the parsed body (null if not JSON),
  // needed by SNS rules only.
  absl::Status Check(const WebhookAuth& auth, const HttpRequest& request,
                     const nlohmann::json& message) const;
  absl::Status CheckSns(const WebhookAuth& auth, const nlohmann::json& message) const;

  // Constant after construction
  const TriggerConfig& config_;
  const CertificateFetcher fetch_;
};

// What a sender puts in an "hmac" rule's header: "sha256=" and the lowercase hex HMAC-SHA256 of
// `body` under `secret` (GitHub's X-Hub-Signature-256 is the same).
std::string WebhookSignature(absl::string_view secret, absl::string_view body);

}  // namespace fanout::trigger

#endif  // FANOUT_TRIGGER_WEBHOOK_AUTH_H_
