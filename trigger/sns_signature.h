// AWS SNS signs every message it posts to an HTTP(S) subscription with the key of a certificate it
// publishes at https://sns.REGION.amazonaws.com/....pem. A signature that verifies under that
// certificate, fetched over TLS from AWS's own host, proves SNS sent the message — though not
// whose topic it came from: anyone can sign with a topic of their own, so callers also check the
// (signed) TopicArn against the topics they take.
#ifndef FANOUT_TRIGGER_SNS_SIGNATURE_H_
#define FANOUT_TRIGGER_SNS_SIGNATURE_H_

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace fanout::trigger {

// The PEM text of the certificate at `url`: UNAVAILABLE when it cannot be had now (try later), any
// other error when it cannot be had at all.
using CertificateFetcher = std::function<absl::StatusOr<std::string>(const std::string& url)>;

// OK when `url` is https://sns.REGION.amazonaws.com[.cn]/...pem (no port, user, query or
// fragment); UNAUTHENTICATED otherwise.
absl::Status CheckSigningCertUrl(absl::string_view url);

// What SNS signed: "Key\nValue\n" for each field its Type signs, in AWS's documented order
// (Notification: Message, MessageId, Subject if present, Timestamp, TopicArn, Type; the two
// confirmations: Message, MessageId, SubscribeURL, Timestamp, Token, TopicArn, Type).
// UNAUTHENTICATED when a field is missing or the Type is not one SNS signs.
absl::StatusOr<std::string> SnsStringToSign(const nlohmann::json& message);

// OK when `message`, a parsed SNS envelope, carries a valid SignatureVersion 1 (SHA1withRSA) or 2
// (SHA256withRSA) signature by the certificate its SigningCertURL names. The certificate is
// fetched only when the URL is SNS's. UNAUTHENTICATED naming why not; UNAVAILABLE when the
// certificate could not be fetched now.
absl::Status VerifySnsSignature(const nlohmann::json& message, const CertificateFetcher& fetch);

// `inner`, remembering up to 64 certificates by URL: SNS signs with a handful for a year each,
// and a fetch per message would make every post wait on AWS. Thread-safe when `inner` is.
CertificateFetcher CachingCertificateFetcher(CertificateFetcher inner);

// The default: GET over HTTPS with libcurl (peer verified, no redirects, 5 s), cached as above.
CertificateFetcher HttpsCertificateFetcher();

}  // namespace fanout::trigger

#endif  // FANOUT_TRIGGER_SNS_SIGNATURE_H_
