#include "trigger/webhook_auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/json_text.h"
#include "common/utf8.h"

namespace fanout::trigger {
namespace {

using nlohmann::json;

// Equal in time that depends on neither content: digests first, so that lengths leak nothing
// either (CRYPTO_memcmp needs two buffers of one length).
bool ConstantTimeEquals(absl::string_view a, absl::string_view b) {
  unsigned char da[SHA256_DIGEST_LENGTH], db[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(a.data()), a.size(), da);
  SHA256(reinterpret_cast<const unsigned char*>(b.data()), b.size(), db);
  return CRYPTO_memcmp(da, db, sizeof(da)) == 0;
}

absl::Status CheckHmac(const WebhookAuth& auth, const HttpRequest& request) {
  const std::string& given = request.Header(auth.header);
  if (given.empty()) return absl::UnauthenticatedError("missing signature header " + auth.header);
  if (!ConstantTimeEquals(absl::AsciiStrToLower(given),
                          WebhookSignature(auth.secret, request.body))) {
    return absl::UnauthenticatedError(absl::StrCat(
        "wrong signature in ", auth.header, " (want sha256=HEX, the HMAC-SHA256 of the body)"));
  }
  return absl::OkStatus();
}

}  // namespace

std::string WebhookSignature(absl::string_view secret, absl::string_view body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &length);
  return absl::StrCat("sha256=", absl::BytesToHexString(absl::string_view(
                                     reinterpret_cast<const char*>(mac), length)));
}

Admission WebhookAuthenticator::Admit(const HttpRequest& request) const {
  Admission admission;
  admission.admitted.assign(config_.rules.size(), false);
  bool open = false, any = false, unavailable = false;
  std::vector<std::string> reasons;
  json message;  // the body, parsed once and only for SNS rules
  bool parsed = false;
  for (size_t r = 0; r < config_.rules.size(); ++r) {
    const Rule& rule = config_.rules[r];
    if (rule.source != "webhook") continue;
    if (rule.auth.type == WebhookAuth::Type::kSns && !parsed) {
      absl::StatusOr<json> body = ParseJson(request.body, "body");
      if (body.ok()) message = std::move(*body);
      parsed = true;
    }
    const absl::Status s = Check(rule.auth, request, message);
    admission.admitted[r] = s.ok();
    open |= rule.auth.type == WebhookAuth::Type::kNone;
    any |= s.ok();
    unavailable |= s.code() == absl::StatusCode::kUnavailable;
    const std::string why(s.message());
    if (!s.ok() && std::find(reasons.begin(), reasons.end(), why) == reasons.end()) {
      reasons.push_back(why);
    }
  }
  // Open rules take the post whatever else refused it; only a post nobody takes is refused.
  if (!any && !open && !reasons.empty()) {
    const std::string why = absl::StrJoin(reasons, "; ");
    admission.refused = unavailable ? absl::UnavailableError(why) : absl::UnauthenticatedError(why);
  }
  return admission;
}

absl::Status WebhookAuthenticator::Check(const WebhookAuth& auth, const HttpRequest& request,
                                         const json& message) const {
  switch (auth.type) {
    case WebhookAuth::Type::kNone:
      return absl::OkStatus();
    case WebhookAuth::Type::kHmac:
      return CheckHmac(auth, request);
    case WebhookAuth::Type::kPath:
      return ConstantTimeEquals(request.path, "/" + auth.secret)
                 ? absl::OkStatus()
                 : absl::UnauthenticatedError("wrong path");
    case WebhookAuth::Type::kSns:
      return CheckSns(auth, message);
  }
  return absl::InternalError("unknown auth type");
}

absl::Status WebhookAuthenticator::CheckSns(const WebhookAuth& auth, const json& message) const {
  if (!message.is_object() || !message.contains("Type") || !message.contains("TopicArn")) {
    return absl::UnauthenticatedError("not an SNS message (no Type and TopicArn)");
  }
  // Before any fetch: a topic we do not take is refused at no cost to us or to AWS.
  const std::string topic = StringField(message, "TopicArn");
  if (std::find(auth.sns_topics.begin(), auth.sns_topics.end(), topic) == auth.sns_topics.end()) {
    return absl::UnauthenticatedError(
        absl::StrCat("SNS topic not allowed: '", Printable(topic), "'"));
  }
  return VerifySnsSignature(message, fetch_);
}

}  // namespace fanout::trigger
