// For tests: signs SNS messages as AWS does, with an RSA key and a self-signed certificate made
// in the process, so that tests verify real signatures without reaching AWS.
#ifndef FANOUT_TRIGGER_SNS_TEST_SIGNER_H_
#define FANOUT_TRIGGER_SNS_TEST_SIGNER_H_

#include <memory>
#include <string>

#include "nlohmann/json.hpp"

typedef struct evp_pkey_st EVP_PKEY;

namespace fanout::trigger {

// Thread-compatible; the key lives as long as the signer.
class SnsTestSigner {
 public:
  SnsTestSigner();  // a 2048-bit key: make one per test binary (Shared())
  static const SnsTestSigner& Shared();

  const std::string& certificate_pem() const { return pem_; }
  // Sets SignatureVersion (1: SHA1withRSA, 2: SHA256withRSA), SigningCertURL and Signature. The
  // text signed is written out here from AWS's documentation, independently of sns_signature.cc.
  void Sign(nlohmann::json& message, const std::string& cert_url, int version = 2) const;

 private:
  std::shared_ptr<EVP_PKEY> key_;
  std::string pem_;
};

// An unsigned Notification from `topic` whose Message is `text`.
nlohmann::json SnsNotification(const std::string& topic, const std::string& text);

}  // namespace fanout::trigger

#endif  // FANOUT_TRIGGER_SNS_TEST_SIGNER_H_
