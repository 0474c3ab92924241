#include "trigger/sns_signature.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "common/json_text.h"
#include "common/status_macros.h"
#include "s3/http.h"

namespace fanout::trigger {
namespace {

using nlohmann::json;

constexpr size_t kMaxCachedCertificates = 64;
constexpr size_t kMaxCertificateBytes = 64 << 10;

absl::Status Refuse(absl::string_view why) { return absl::UnauthenticatedError(why); }

// ^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$, spelt out.
bool IsSnsHost(absl::string_view host) {
  if (!absl::ConsumePrefix(&host, "sns.")) return false;
  if (!absl::ConsumeSuffix(&host, ".amazonaws.com") &&
      !absl::ConsumeSuffix(&host, ".amazonaws.com.cn")) {
    return false;
  }
  if (host.empty()) return false;
  for (char c : host) {
    if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') && c != '-') return false;
  }
  return true;
}

absl::Status VerifyWithCertificate(const std::string& pem, const EVP_MD* digest,
                                   const std::string& text, const std::string& signature) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), pem.size()), &BIO_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(
      bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr, &X509_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      cert ? X509_get_pubkey(cert.get()) : nullptr, &EVP_PKEY_free);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  const bool valid =
      key != nullptr && EVP_PKEY_base_id(key.get()) == EVP_PKEY_RSA && ctx != nullptr &&
      EVP_DigestVerifyInit(ctx.get(), nullptr, digest, nullptr, key.get()) == 1 &&
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), reinterpret_cast<const unsigned char*>(text.data()),
                       text.size()) == 1;
  ERR_clear_error();  // OpenSSL's queue is per thread: leave nothing for the next caller
  if (key == nullptr) return Refuse("SNS signing certificate: not a PEM certificate");
  return valid ? absl::OkStatus() : Refuse("SNS signature invalid");
}

absl::StatusOr<std::string> FetchOverHttps(const std::string& url) {
  s3::HttpRequest request;
  request.method = "GET";
  request.url = url;
  request.timeout = absl::Seconds(5);
  absl::StatusOr<s3::HttpResponse> response = s3::Send(request);
  if (!response.ok()) return absl::UnavailableError(response.status().message());
  const std::string why = absl::StrCat("GET ", url, ": HTTP ", response->status);
  if (response->status / 100 == 5) return absl::UnavailableError(why);
  if (response->status != 200) return Refuse(why);
  if (response->body.size() > kMaxCertificateBytes) return Refuse(why + ": too long");
  return std::move(response->body);
}

}  // namespace

absl::Status CheckSigningCertUrl(absl::string_view url) {
  const absl::Status refused =
      Refuse("certificate URL not SNS's (https://sns.REGION.amazonaws.com/....pem)");
  if (!absl::ConsumePrefix(&url, "https://")) return refused;
  const size_t slash = url.find('/');
  if (slash == absl::string_view::npos || !IsSnsHost(url.substr(0, slash))) return refused;
  const absl::string_view path = url.substr(slash);
  if (!absl::EndsWith(path, ".pem") || path.find_first_of("?#\\") != absl::string_view::npos) {
    return refused;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> SnsStringToSign(const json& message) {
  const std::string type = StringField(message, "Type");
  std::vector<const char*> keys;
  if (type == "Notification") {
    keys = {"Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"};
  } else if (type == "SubscriptionConfirmation" || type == "UnsubscribeConfirmation") {
    keys = {"Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"};
  } else {
    return Refuse(
        "not an SNS message (Type is none of Notification, SubscriptionConfirmation, "
        "UnsubscribeConfirmation)");
  }
  std::string text;
  for (const char* key : keys) {
    const auto it = message.find(key);
    if (it == message.end() || it->is_null()) {
      if (absl::string_view(key) == "Subject") continue;  // signed only when sent
      return Refuse(absl::StrCat("SNS message: ", key, " missing"));
    }
    if (!it->is_string()) return Refuse(absl::StrCat("SNS message: ", key, " is not a string"));
    absl::StrAppend(&text, key, "\n", it->get_ref<const std::string&>(), "\n");
  }
  return text;
}

absl::Status VerifySnsSignature(const json& message, const CertificateFetcher& fetch) {
  const std::string version = StringField(message, "SignatureVersion");
  const EVP_MD* digest = version == "1" ? EVP_sha1() : version == "2" ? EVP_sha256() : nullptr;
  if (digest == nullptr) return Refuse("SNS SignatureVersion is neither 1 nor 2");
  std::string signature;
  if (!absl::Base64Unescape(StringField(message, "Signature"), &signature) || signature.empty()) {
    return Refuse("SNS Signature missing or not base64");
  }
  ASSIGN_OR_RETURN(const std::string text, SnsStringToSign(message));
  const std::string url = StringField(message, "SigningCertURL");
  RETURN_IF_ERROR(CheckSigningCertUrl(url));
  absl::StatusOr<std::string> pem = fetch(url);
  if (!pem.ok()) {
    const std::string why = absl::StrCat("SNS signing certificate: ", pem.status().message());
    return pem.status().code() == absl::StatusCode::kUnavailable ? absl::UnavailableError(why)
                                                                 : Refuse(why);
  }
  return VerifyWithCertificate(*pem, digest, text, signature);
}

CertificateFetcher CachingCertificateFetcher(CertificateFetcher inner) {
  struct Cache {
    absl::Mutex mu;
    absl::flat_hash_map<std::string, std::string> pems ABSL_GUARDED_BY(mu);
  };
  auto cache = std::make_shared<Cache>();
  return [cache, inner = std::move(inner)](const std::string& url) -> absl::StatusOr<std::string> {
    {
      absl::MutexLock lock(&cache->mu);
      if (auto it = cache->pems.find(url); it != cache->pems.end()) return it->second;
    }
    // Fetched unlocked: one slow fetch must not hold up posts whose certificate is known.
    absl::StatusOr<std::string> pem = inner(url);
    if (pem.ok()) {
      absl::MutexLock lock(&cache->mu);
      // Only SNS's host gets here, but its paths are many: bound what they can make us keep.
      if (cache->pems.size() >= kMaxCachedCertificates) cache->pems.clear();
      cache->pems[url] = *pem;
    }
    return pem;
  };
}

CertificateFetcher HttpsCertificateFetcher() { return CachingCertificateFetcher(&FetchOverHttps); }

}  // namespace fanout::trigger
