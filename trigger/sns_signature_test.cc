#include "trigger/sns_signature.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "trigger/sns_test_signer.h"

namespace fanout::trigger {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

constexpr char kCertUrl[] = "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-1.pem";
constexpr char kTopic[] = "arn:aws:sns:eu-west-1:123456789012:uploads";

// Serves the shared signer's certificate, counting fetches.
struct CountingFetcher {
  absl::StatusOr<std::string> operator()(const std::string& url) {
    ++*calls;
    return SnsTestSigner::Shared().certificate_pem();
  }
  std::shared_ptr<int> calls = std::make_shared<int>(0);
};

TEST(SnsSignatureTest, OnlyHttpsUrlsOnSnssOwnHostNamingAPemAreCertificateUrls) {
  for (const char* good : {kCertUrl, "https://sns.cn-north-1.amazonaws.com.cn/x/y.pem"}) {
    EXPECT_TRUE(CheckSigningCertUrl(good).ok()) << good;
  }
  for (const char* bad : {
           "http://sns.eu-west-1.amazonaws.com/a.pem",                // not TLS
           "https://sns.eu-west-1.amazonaws.com.evil.example/a.pem",  // another host
           "https://evil.example/sns.eu-west-1.amazonaws.com/a.pem",
           "https://sns.eu-west-1.amazonaws.com@evil.example/a.pem",  // a user, then a host
           "https://sns.eu-west-1.amazonaws.com:8443/a.pem",          // a port
           "https://sns.EU-west-1.amazonaws.com/a.pem",
           "https://sns..amazonaws.com/a.pem",
           "https://s3.eu-west-1.amazonaws.com/a.pem",
           "https://sns.eu-west-1.amazonaws.com/a.txt",
           "https://sns.eu-west-1.amazonaws.com/a?x.pem",
           "https://sns.eu-west-1.amazonaws.com",
       }) {
    EXPECT_EQ(CheckSigningCertUrl(bad).code(), absl::StatusCode::kUnauthenticated) << bad;
  }
}

TEST(SnsSignatureTest, TheTextSignedIsAwssKeyValueLinesInItsOrder) {
  json m = SnsNotification(kTopic, "hello");
  EXPECT_EQ(*SnsStringToSign(m),
            "Message\nhello\nMessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\nSubject\nAmazon S3 "
            "Notification\nTimestamp\n2026-12-05T12:00:00.000Z\nTopicArn\n" +
                std::string(kTopic) + "\nType\nNotification\n");
  m.erase("Subject");
  EXPECT_THAT(*SnsStringToSign(m), HasSubstr("MessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\n"
                                             "Timestamp\n"));
  const json confirm = {{"Type", "SubscriptionConfirmation"},
                        {"Message", "m"},
                        {"MessageId", "i"},
                        {"SubscribeURL", "u"},
                        {"Timestamp", "t"},
                        {"Token", "k"},
                        {"TopicArn", "a"}};
  EXPECT_EQ(*SnsStringToSign(confirm),
            "Message\nm\nMessageId\ni\nSubscribeURL\nu\nTimestamp\nt\nToken\nk\nTopicArn\na\n"
            "Type\nSubscriptionConfirmation\n");
  m.erase("Timestamp");
  EXPECT_THAT(SnsStringToSign(m).status().message(), HasSubstr("Timestamp missing"));
}

TEST(SnsSignatureTest, VersionOneAndTwoSignaturesVerify) {
  CountingFetcher fetch;
  for (int version : {1, 2}) {
    json m = SnsNotification(kTopic, "hello");
    SnsTestSigner::Shared().Sign(m, kCertUrl, version);
    EXPECT_TRUE(VerifySnsSignature(m, fetch).ok()) << VerifySnsSignature(m, fetch);
  }
}

TEST(SnsSignatureTest, AnyChangedSignedFieldOrAnotherKeyFailsVerification) {
  CountingFetcher fetch;
  json m = SnsNotification(kTopic, "hello");
  SnsTestSigner::Shared().Sign(m, kCertUrl);
  for (const char* field : {"Message", "TopicArn", "Subject", "Timestamp"}) {
    json changed = m;
    changed[field] = changed[field].get<std::string>() + "x";
    EXPECT_THAT(VerifySnsSignature(changed, fetch).message(), HasSubstr("SNS signature invalid"))
        << field;
  }
  json v1 = m;
  v1["SignatureVersion"] = "1";  // a SHA256 signature claimed as SHA1
  EXPECT_EQ(VerifySnsSignature(v1, fetch).code(), absl::StatusCode::kUnauthenticated);
  const SnsTestSigner other;
  auto other_key = [&other](const std::string&) -> absl::StatusOr<std::string> {
    return other.certificate_pem();
  };
  EXPECT_THAT(VerifySnsSignature(m, other_key).message(), HasSubstr("SNS signature invalid"));
}

TEST(SnsSignatureTest, ACertificateUrlOffSnssHostIsNeverFetched) {
  CountingFetcher fetch;
  json m = SnsNotification(kTopic, "hello");
  SnsTestSigner::Shared().Sign(m, "https://attacker.example/cert.pem");
  EXPECT_THAT(VerifySnsSignature(m, fetch).message(), HasSubstr("certificate URL not SNS's"));
  EXPECT_EQ(*fetch.calls, 0);
}

TEST(SnsSignatureTest, AFetchThatCannotBeMadeNowIsUnavailable) {
  json m = SnsNotification(kTopic, "hello");
  SnsTestSigner::Shared().Sign(m, kCertUrl);
  auto down = [](const std::string&) -> absl::StatusOr<std::string> {
    return absl::UnavailableError("connection refused");
  };
  EXPECT_EQ(VerifySnsSignature(m, down).code(), absl::StatusCode::kUnavailable);
  auto missing = [](const std::string&) -> absl::StatusOr<std::string> {
    return absl::UnauthenticatedError("HTTP 404");
  };
  EXPECT_EQ(VerifySnsSignature(m, missing).code(), absl::StatusCode::kUnauthenticated);
}

TEST(SnsSignatureTest, TheCacheFetchesEachUrlOnceAndForgetsFailures) {
  int calls = 0;
  bool fail = true;
  CertificateFetcher cached =
      CachingCertificateFetcher([&](const std::string& url) -> absl::StatusOr<std::string> {
        ++calls;
        if (fail) return absl::UnavailableError("down");
        return "pem of " + url;
      });
  EXPECT_FALSE(cached("a").ok());
  fail = false;
  EXPECT_EQ(*cached("a"), "pem of a");
  EXPECT_EQ(*cached("a"), "pem of a");
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(*cached("b"), "pem of b");
  EXPECT_EQ(calls, 3);
}

}  // namespace
}  // namespace fanout::trigger
