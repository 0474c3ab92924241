// Signed webhooks: what decides whether a POST reaches any rule — its path, its signature header
// and its body (an SNS envelope is parsed, its fields assembled into the text signed, its
// signature decoded and checked against a certificate). Rules of every kind (HMAC, secret path,
// SNS) are present; the certificate "fetched" is a fixed self-signed one, so verification runs
// to its end without the network.
#include "fuzz/fuzzed.h"
#include "trigger/webhook_auth.h"

namespace {

constexpr char kCertificate[] = R"(-----BEGIN CERTIFICATE-----
MIICAjCCAWugAwIBAgIUBiNurWeEoU4xjVFKRSPxCtvyxvQwDQYJKoZIhvcNAQEL
BQAwEzERMA8GA1UEAwwIc25zLmZ1enowHhcNMjYxMjA2MDYwNjMyWhcNMzYxMjAz
MDYwNjMyWjATMREwDwYDVQQDDAhzbnMuZnV6ejCBnzANBgkqhkiG9w0BAQEFAAOB
jQAwgYkCgYEA1c3j28gkPlL0UKlVWcoVHlBo6nGeoFkgR6RblAhj2udDM6DYHKFk
vW5sTZdNE8SRme3u6V+t3ftSarmyr/3ZZQm0Lo9N2mgRuSNJOv27AdxEgzwXGLdH
Exmo1CfITRqqa80fDDZrgqOyd9ah5QMx1HKpOy3APOSPvtil8aGrFjcCAwEAAaNT
MFEwHQYDVR0OBBYEFDcNRXVSJuLz6pW7I/lUDmvDNco3MB8GA1UdIwQYMBaAFDcN
RXVSJuLz6pW7I/lUDmvDNco3MA8GA1UdEwEB/wQFMAMBAf8wDQYJKoZIhvcNAQEL
BQADgYEACfuo4ONoVm9TFjQsjXFMYvasoZwFi1rycwGoKGCu7tIlNmaI4yFDOdNQ
axDVgKlRGC5uzLq5T7qGgN/dQ1LzJ0DYiaUjP3MwK/nFDwzl8cxpYQ8hA7mht0PS
h1mSU0ZS5UajiiCmrYe3TFYZ8Yrcac56tol1B0ZRQMNLG1rmkyM=
-----END CERTIFICATE-----
)";

fanout::trigger::TriggerConfig Config() {
  fanout::trigger::TriggerConfig config;
  config.path = "fuzz.json";
  using Type = fanout::trigger::WebhookAuth::Type;
  for (Type type : {Type::kHmac, Type::kPath, Type::kSns}) {
    fanout::trigger::Rule rule;
    rule.name = "rule";
    rule.source = "webhook";
    rule.job.set_function("builtin:noop");
    rule.auth.type = type;
    rule.auth.secret = "a-secret-of-some-length";
    rule.auth.sns_topics = {"arn:aws:sns:us-east-1:123456789012:uploads"};
    config.rules.push_back(rule);
  }
  return config;
}

}  // namespace

// Input: a byte choosing the path, a byte giving the signature header's length, the header, the
// body.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const fanout::trigger::TriggerConfig* config =
      new fanout::trigger::TriggerConfig(Config());
  static const fanout::trigger::WebhookAuthenticator* auth =
      new fanout::trigger::WebhookAuthenticator(
          *config, [](const std::string&) -> absl::StatusOr<std::string> { return kCertificate; });
  absl::string_view text = fanout::fuzz::Text(data, size);
  fanout::HttpRequest request;
  request.method = "POST";
  request.path = fanout::fuzz::TakeByte(&text) % 2 == 0 ? "/" : "/a-secret-of-some-length";
  const size_t header = std::min<size_t>(fanout::fuzz::TakeByte(&text), text.size());
  request.headers["x-fanout-signature"] = std::string(text.substr(0, header));
  text.remove_prefix(header);
  request.body = std::string(text);
  (void)auth->Admit(request);
  return 0;
}
