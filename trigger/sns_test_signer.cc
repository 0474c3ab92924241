#include "trigger/sns_test_signer.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "glog/logging.h"

namespace fanout::trigger {
namespace {

using nlohmann::json;

std::string SelfSignedCertificate(EVP_PKEY* key) {
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), &X509_free);
  CHECK(cert != nullptr);
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("sns.test"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  CHECK_EQ(X509_set_pubkey(cert.get(), key), 1);
  CHECK_GT(X509_sign(cert.get(), key, EVP_sha256()), 0);
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  CHECK_EQ(PEM_write_bio_X509(bio.get(), cert.get()), 1);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, length);
}

// AWS: "Key\nValue\n" per field, in this order; Subject only when the message has one.
std::string TextToSign(const json& m) {
  const bool notification = m["Type"] == "Notification";
  std::string text;
  for (const char* key : {"Message", "MessageId", "Subject", "SubscribeURL", "Timestamp", "Token",
                          "TopicArn", "Type"}) {
    const std::string k = key;
    const bool for_notification = k != "SubscribeURL" && k != "Token";
    const bool for_confirmation = k != "Subject";
    if (notification ? !for_notification : !for_confirmation) continue;
    if (!m.contains(k)) continue;
    absl::StrAppend(&text, k, "\n", m[k].get<std::string>(), "\n");
  }
  return text;
}

}  // namespace

SnsTestSigner::SnsTestSigner() : key_(EVP_RSA_gen(2048), &EVP_PKEY_free) {
  CHECK(key_ != nullptr);
  pem_ = SelfSignedCertificate(key_.get());
}

const SnsTestSigner& SnsTestSigner::Shared() {
  static const SnsTestSigner* const signer = new SnsTestSigner();
  return *signer;
}

void SnsTestSigner::Sign(json& message, const std::string& cert_url, int version) const {
  message["SignatureVersion"] = std::to_string(version);
  message["SigningCertURL"] = cert_url;
  const std::string text = TextToSign(message);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  CHECK_EQ(EVP_DigestSignInit(ctx.get(), nullptr, version == 1 ? EVP_sha1() : EVP_sha256(), nullptr,
                              key_.get()),
           1);
  size_t length = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(text.data());
  CHECK_EQ(EVP_DigestSign(ctx.get(), nullptr, &length, data, text.size()), 1);
  std::string signature(length, '\0');
  CHECK_EQ(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                          data, text.size()),
           1);
  signature.resize(length);
  message["Signature"] = absl::Base64Escape(signature);
}

json SnsNotification(const std::string& topic, const std::string& text) {
  return {{"Type", "Notification"}, {"MessageId", "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324"},
          {"TopicArn", topic},      {"Subject", "Amazon S3 Notification"},
          {"Message", text},        {"Timestamp", "2026-12-05T12:00:00.000Z"}};
}

}  // namespace fanout::trigger
