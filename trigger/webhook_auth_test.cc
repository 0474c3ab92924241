// Signed webhooks end to end through WebhookHandler: which posts each kind of rule takes, and that
// a post no rule takes is answered 401 and submits nothing.
#include "trigger/webhook_auth.h"

#include <map>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "trigger/sns_test_signer.h"
#include "trigger/webhook_handler.h"

namespace fanout::trigger {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

constexpr char kSecret[] = "0123456789abcdef-secret";
constexpr char kTopic[] = "arn:aws:sns:us-east-1:123456789012:uploads";
constexpr char kCertUrl[] = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-9.pem";

// Keeps each submitted job by idempotency key, as the coordinator deduplicates.
class RecordingSubmitter : public JobSubmitter {
 public:
  absl::StatusOr<Submitted> Submit(const v1::JobSpec& spec) override {
    auto [it, created] = jobs.try_emplace(spec.idempotency_key(), spec);
    return Submitted{"job-" + spec.idempotency_key(), created};
  }
  std::map<std::string, v1::JobSpec> jobs;
};

std::string Body(const std::string& key) {
  const json record = {
      {"eventSource", "ceph:s3"},
      {"eventName", "ObjectCreated:Put"},
      {"s3", {{"bucket", {{"name", "uploads"}}}, {"object", {{"key", key}, {"size", 1}}}}}};
  return json{{"Records", {record}}}.dump();
}

HttpRequest Post(const std::string& body, const std::string& path = "/",
                 std::map<std::string, std::string> headers = {}) {
  HttpRequest request;
  request.method = "POST";
  request.path = path;
  request.body = body;
  request.content_length = body.size();
  for (auto& [name, value] : headers) request.headers[name] = value;
  return request;
}

// A handler over one webhook rule whose auth is `auth` (JSON); fetches count as `fetches`.
class SignedWebhookTest : public ::testing::Test {
 protected:
  void Start(const std::string& auth) {
    config_ = *ParseTriggerConfig("t.json", R"({"rules": [{"name": "guarded",
        "source": {"type": "webhook"}, "job": {"function": "builtin:noop"}, "auth": )" +
                                                auth + "}]}");
    handler_ = std::make_unique<WebhookHandler>(
        config_, submitter_, [this](const std::string& url) -> absl::StatusOr<std::string> {
          ++fetches_;
          if (url != kCertUrl) return absl::UnauthenticatedError("HTTP 404");
          return SnsTestSigner::Shared().certificate_pem();
        });
  }
  HttpResponse Serve(const HttpRequest& request) { return handler_->Serve(request); }
  std::string Error(const HttpResponse& response) {
    return json::parse(response.body)["error"].get<std::string>();
  }
  HttpResponse PostSns(const json& message) { return Serve(Post(message.dump())); }

  TriggerConfig config_;
  RecordingSubmitter submitter_;
  int fetches_ = 0;
  std::unique_ptr<WebhookHandler> handler_;
};

class HmacWebhookTest : public SignedWebhookTest {
 protected:
  HmacWebhookTest() { Start(R"({"type": "hmac", "secret": ")" + std::string(kSecret) + R"("})"); }
  HttpRequest Signed(const std::string& body, const std::string& signature) {
    return Post(body, "/", {{"x-fanout-signature", signature}});
  }
};

TEST_F(HmacWebhookTest, AnUnsignedPostIs401AndSubmitsNothing) {
  const HttpResponse response = Serve(Post(Body("a.txt")));
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(Error(response), "missing signature header x-fanout-signature");
  EXPECT_TRUE(submitter_.jobs.empty());
  EXPECT_EQ(handler_->counts().unauthorized, 1u);
  EXPECT_EQ(handler_->counts().rejected, 1u);
  // Handle(body) is an unsigned post too: no way around the check.
  EXPECT_EQ(handler_->Handle(Body("a.txt")).status, 401);
  EXPECT_TRUE(submitter_.jobs.empty());
}

TEST_F(HmacWebhookTest, APostSignedWithAnotherSecretIs401) {
  const std::string body = Body("a.txt");
  for (const std::string& signature :
       {WebhookSignature("another-secret-0123456789", body), std::string("sha256=00"),
        WebhookSignature(kSecret, body).substr(7)}) {  // the hex without "sha256="
    const HttpResponse response = Serve(Signed(body, signature));
    EXPECT_EQ(response.status, 401) << signature;
    EXPECT_THAT(Error(response), HasSubstr("wrong signature in x-fanout-signature"));
  }
  EXPECT_TRUE(submitter_.jobs.empty());
}

TEST_F(HmacWebhookTest, ACorrectlySignedPostIsAcceptedAndItsReplayIsADuplicate) {
  const std::string body = Body("a.txt");
  const std::string signature = WebhookSignature(kSecret, body);
  ASSERT_EQ(signature.substr(0, 7), "sha256=");
  EXPECT_EQ(signature.size(), 7u + 64u);
  HttpResponse response = Serve(Signed(body, signature));
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(json::parse(response.body)["accepted"], 1);
  // The same signed body again: authentic, and the idempotency key makes it the same job.
  response = Serve(Signed(body, signature));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(json::parse(response.body)["duplicates"], 1);
  EXPECT_EQ(submitter_.jobs.size(), 1u);
}

TEST_F(HmacWebhookTest, AnOldSignatureOnAnotherBodyIs401) {
  const std::string signature = WebhookSignature(kSecret, Body("a.txt"));
  ASSERT_EQ(Serve(Signed(Body("a.txt"), signature)).status, 200);
  const HttpResponse forged = Serve(Signed(Body("evil.txt"), signature));
  EXPECT_EQ(forged.status, 401);
  EXPECT_THAT(Error(forged), HasSubstr("wrong signature"));
  EXPECT_EQ(submitter_.jobs.size(), 1u);
}

TEST_F(SignedWebhookTest, AConfiguredHeaderSuchAsGitHubsCarriesTheSignature) {
  Start(R"({"type": "hmac", "secret": ")" + std::string(kSecret) +
        R"(", "header": "X-Hub-Signature-256"})");
  const std::string body = Body("a.txt");
  const std::string signature = WebhookSignature(kSecret, body);
  EXPECT_EQ(Serve(Post(body, "/", {{"x-fanout-signature", signature}})).status, 401);
  EXPECT_TRUE(submitter_.jobs.empty());
  EXPECT_EQ(Serve(Post(body, "/", {{"x-hub-signature-256", signature}})).status, 200);
  EXPECT_EQ(submitter_.jobs.size(), 1u);
}

TEST_F(SignedWebhookTest, OnlyTheSecretPathIsAccepted) {
  Start(R"({"type": "path", "secret": ")" + std::string(kSecret) + R"("})");
  for (const std::string& path :
       {std::string("/"), std::string("/wrong"), "/" + std::string(kSecret) + "/",
        "/hooks/" + std::string(kSecret), "/" + std::string(kSecret).substr(1)}) {
    const HttpResponse response = Serve(Post(Body("a.txt"), path));
    EXPECT_EQ(response.status, 401) << path;
    EXPECT_EQ(Error(response), "wrong path");
  }
  EXPECT_TRUE(submitter_.jobs.empty());
  const HttpResponse response = Serve(Post(Body("a.txt"), "/" + std::string(kSecret)));
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(submitter_.jobs.size(), 1u);
}

class SnsWebhookTest : public SignedWebhookTest {
 protected:
  SnsWebhookTest() {
    Start(R"({"type": "sns", "sns_topics": [")" + std::string(kTopic) + R"("]})");
  }
  json Notification(const std::string& topic = kTopic, const std::string& url = kCertUrl) {
    json message = SnsNotification(topic, Body("a.txt"));
    SnsTestSigner::Shared().Sign(message, url);
    return message;
  }
};

TEST_F(SnsWebhookTest, ASignedNotificationFromAnAllowedTopicIsAccepted) {
  const HttpResponse response = PostSns(Notification());
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(json::parse(response.body)["accepted"], 1);
  EXPECT_EQ(submitter_.jobs.size(), 1u);
  EXPECT_EQ(fetches_, 1);
}

TEST_F(SnsWebhookTest, ANotificationWithABadSignatureIsRefused) {
  json message = Notification();
  message["Message"] = Body("evil.txt");  // changed after signing
  HttpResponse response = PostSns(message);
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(Error(response), "SNS signature invalid");
  message.erase("Signature");
  EXPECT_EQ(PostSns(message).status, 401);
  EXPECT_EQ(PostSns(SnsNotification(kTopic, Body("a.txt"))).status, 401) << "unsigned";
  EXPECT_TRUE(submitter_.jobs.empty());
}

TEST_F(SnsWebhookTest, ACertificateUrlOnAnotherHostIsRefusedUnfetched) {
  for (const char* url : {"https://attacker.example/SimpleNotificationService-9.pem",
                          "https://sns.us-east-1.amazonaws.com.attacker.example/cert.pem",
                          "http://sns.us-east-1.amazonaws.com/SimpleNotificationService-9.pem"}) {
    const HttpResponse response = PostSns(Notification(kTopic, url));
    EXPECT_EQ(response.status, 401) << url;
    EXPECT_THAT(Error(response), HasSubstr("certificate URL not SNS's"));
  }
  EXPECT_EQ(fetches_, 0);
  EXPECT_TRUE(submitter_.jobs.empty());
}

TEST_F(SnsWebhookTest, ASignedNotificationFromAnotherTopicIsRefused) {
  const HttpResponse response = PostSns(Notification("arn:aws:sns:us-east-1:666:mine"));
  EXPECT_EQ(response.status, 401);
  EXPECT_THAT(Error(response), HasSubstr("SNS topic not allowed"));
  EXPECT_TRUE(submitter_.jobs.empty());
}

TEST_F(SnsWebhookTest, APostThatIsNoSnsMessageIsRefused) {
  EXPECT_EQ(Serve(Post(Body("a.txt"))).status, 401);
  EXPECT_EQ(Serve(Post("{not json")).status, 401) << "refused before it is parsed for events";
  EXPECT_TRUE(submitter_.jobs.empty());
}

TEST_F(SignedWebhookTest, ACertificateThatCannotBeFetchedNowIs503SoSnsRetries) {
  Start(R"({"type": "sns", "sns_topics": [")" + std::string(kTopic) + R"("]})");
  handler_ = std::make_unique<WebhookHandler>(
      config_, submitter_, [](const std::string&) -> absl::StatusOr<std::string> {
        return absl::UnavailableError("connection timed out");
      });
  json message = SnsNotification(kTopic, Body("a.txt"));
  SnsTestSigner::Shared().Sign(message, kCertUrl);
  EXPECT_EQ(PostSns(message).status, 503);
  EXPECT_TRUE(submitter_.jobs.empty());
}

TEST(WebhookSignatureTest, IsWhatOpensslDgstHmacPrintsAfterSha256) {
  // printf '%s' '{"Records": []}' | openssl dgst -sha256 -hmac 0123456789abcdef
  EXPECT_EQ(WebhookSignature("0123456789abcdef", R"({"Records": []})"),
            "sha256=0e9bf1e4ebb2cb072c9fc3cda80b13a81b89d10dbaecc3ff81d015ba8c840c70");
}

TEST(WebhookAuthMixTest, AnUnsignedPostReachesOnlyTheOpenRules) {
  const TriggerConfig config = *ParseTriggerConfig("t.json", R"({"rules": [
      {"name": "open", "source": {"type": "webhook"}, "filter": {"suffix": ".txt"},
       "job": {"function": "builtin:noop"}},
      {"name": "signed", "source": {"type": "webhook"}, "job": {"function": "builtin:noop"},
       "auth": {"type": "hmac", "secret": "0123456789abcdef"}}]})");
  EXPECT_TRUE(HasOpenWebhookRules(config));
  RecordingSubmitter submitter;
  WebhookHandler handler(config, submitter);
  // Matches both rules' filters, but only the open rule may take it.
  HttpResponse response = handler.Serve(Post(Body("a.txt")));
  EXPECT_EQ(response.status, 200) << response.body;
  ASSERT_EQ(submitter.jobs.size(), 1u);
  EXPECT_EQ(submitter.jobs.begin()->second.labels().at("trigger"), "open");
  // Matches only the guarded rule's filter: ignored, not refused (an open rule took the post).
  response = handler.Serve(Post(Body("a.jpg")));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(json::parse(response.body)["ignored"], 1);
  // Signed, it reaches both.
  const std::string body = Body("b.txt");
  response = handler.Serve(
      Post(body, "/", {{"x-fanout-signature", WebhookSignature("0123456789abcdef", body)}}));
  EXPECT_EQ(json::parse(response.body)["accepted"], 2);
  EXPECT_EQ(submitter.jobs.size(), 3u);
}

}  // namespace
}  // namespace fanout::trigger
