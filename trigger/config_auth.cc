// The "auth" of webhook rules: who may post their events (webhook_auth.h checks it per post).
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "trigger/config_fields.h"

namespace fanout::trigger {
namespace {

using nlohmann::json;

// Shorter secrets could be guessed by posting; 16 bytes is what `openssl rand -hex 8` prints.
constexpr size_t kMinSecretBytes = 16;

// An auth's secret, inline or (so that config files hold none) from the environment at load.
absl::Status ParseAuthSecret(Fields& a, WebhookAuth* auth) {
  const bool inline_secret = a.Find("secret") != nullptr;
  if (inline_secret == (a.Find("secret_env") != nullptr)) {
    return a.Error("secret_env",
                   "give either secret_env (the environment variable holding "
                   "the secret) or secret");
  }
  const std::string field = inline_secret ? "secret" : "secret_env";
  std::string text;
  if (absl::Status s = a.String(field, &text, true); !s.ok()) return s;
  if (inline_secret) {
    auth->secret = text;
  } else {
    const char* value = std::getenv(text.c_str());
    if (value == nullptr || *value == '\0') {
      return a.Error(field, absl::StrCat("$", text, " is not set or empty"));
    }
    auth->secret = value;
  }
  if (auth->secret.size() < kMinSecretBytes) {
    return a.Error(field, absl::StrCat("the secret is ", auth->secret.size(), " bytes; at least ",
                                       kMinSecretBytes, " are needed"));
  }
  // A path segment is compared as the server decoded it: only characters no client encodes.
  if (auth->type == WebhookAuth::Type::kPath) {
    for (char c : auth->secret) {
      if (!absl::ascii_isalnum(c) && c != '-' && c != '_' && c != '.' && c != '~') {
        return a.Error(field, "a path secret may hold only letters, digits, '-', '_', '.', '~'");
      }
    }
  }
  return absl::OkStatus();
}

absl::Status ParseSnsTopics(Fields& a, WebhookAuth* auth) {
  // Required: anyone can sign SNS messages with a topic of their own, so the signature alone
  // proves nothing about whose events these are.
  const json* topics = a.Find("sns_topics");
  if (topics == nullptr || !topics->is_array() || topics->empty()) {
    return a.Error("sns_topics", "required: a list of the TopicArns to take, \"arn:aws:sns:...\"");
  }
  for (const json& t : *topics) {
    if (!t.is_string() || !absl::StartsWith(t.get<std::string>(), "arn:")) {
      return a.Error("sns_topics", absl::StrCat(t.dump(), " is not a TopicArn (arn:aws:sns:...)"));
    }
    auth->sns_topics.push_back(t.get<std::string>());
  }
  return absl::OkStatus();
}

absl::Status ParseSignatureHeader(Fields& a, WebhookAuth* auth) {
  std::string header;
  if (absl::Status s = a.String("header", &header); !s.ok() || header.empty()) return s;
  for (char c : header) {
    if (!absl::ascii_isalnum(c) && c != '-' && c != '_') {
      return a.Error("header", absl::StrCat("'", header, "' is not a header name"));
    }
  }
  auth->header = absl::AsciiStrToLower(header);  // as HttpRequest keeps them
  return absl::OkStatus();
}

}  // namespace

absl::Status ParseWebhookAuth(const json& object, const std::string& where, Rule* rule) {
  if (rule->source != "webhook") {
    return absl::InvalidArgumentError(where + "auth: only webhook rules take posts to check");
  }
  if (!object.is_object()) return absl::InvalidArgumentError(where + "auth: must be an object");
  Fields a(object, where + "auth.");
  WebhookAuth& auth = rule->auth;
  std::string type;
  if (absl::Status s = a.String("type", &type, true); !s.ok()) return s;
  absl::Status parsed;
  if (type == "hmac") {
    auth.type = WebhookAuth::Type::kHmac;
    parsed = ParseAuthSecret(a, &auth);
    if (parsed.ok()) parsed = ParseSignatureHeader(a, &auth);
  } else if (type == "path") {
    auth.type = WebhookAuth::Type::kPath;
    parsed = ParseAuthSecret(a, &auth);
  } else if (type == "sns") {
    auth.type = WebhookAuth::Type::kSns;
    parsed = ParseSnsTopics(a, &auth);
  } else {
    return a.Error("type", absl::StrCat("'", type, "' is none of hmac, path, sns"));
  }
  return parsed.ok() ? a.NoOthers() : parsed;
}

}  // namespace fanout::trigger
