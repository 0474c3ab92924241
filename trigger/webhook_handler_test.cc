#include "trigger/webhook_handler.h"

#include <map>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "trigger/s3_event.h"

namespace fanout::trigger {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

// Deduplicates by idempotency key as the coordinator does; can play unreachable.
class RecordingSubmitter : public JobSubmitter {
 public:
  absl::StatusOr<Submitted> Submit(const v1::JobSpec& spec) override {
    ++calls;
    if (down) return absl::UnavailableError("coordinator: connection refused");
    if (spec.source().find("refuse-me") != std::string::npos) {
      return absl::InvalidArgumentError("source: item 0 is too big");
    }
    auto [it, created] = jobs.try_emplace(spec.idempotency_key(), spec);
    return Submitted{"job-for-" + spec.idempotency_key(), created};
  }
  std::vector<absl::StatusOr<Submitted>> SubmitAll(const std::vector<v1::JobSpec>& specs) override {
    ++all_calls;
    return JobSubmitter::SubmitAll(specs);
  }
  bool down = false;
  int calls = 0;
  int all_calls = 0;
  std::map<std::string, v1::JobSpec> jobs;
};

std::string Body(const std::string& source, const std::string& name, const std::string& key,
                 const std::string& bucket = "uploads") {
  json record = {{"eventSource", source},
                 {"eventName", name},
                 {"s3",
                  {{"bucket", {{"name", bucket}}},
                   {"object", {{"key", key}, {"size", 12}, {"eTag", "\"6f5902ac\""}}}}}};
  return json{{"Records", {record}}}.dump();
}

class WebhookHandlerTest : public ::testing::Test {
 protected:
  WebhookHandlerTest() {
    config_ = *ParseTriggerConfig("t.json", R"({"max_body_bytes": 2000, "rules": [
      {"name": "created", "source": {"type": "webhook"},
       "filter": {"events": ["ObjectCreated:*"], "bucket": "uploads", "suffix": ".txt"},
       "job": {"function": "builtin:noop"}}]})");
  }
  TriggerConfig config_;
  RecordingSubmitter submitter_;
  WebhookHandler handler_{config_, submitter_};
};

TEST_F(WebhookHandlerTest, AnEventBecomesOneJobWhoseItemIdentifiesTheObject) {
  HttpReply reply = handler_.Handle(Body("ceph:s3", "ObjectCreated:Put", "in/a b+cé.txt"));
  EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(json::parse(reply.body)["accepted"], 1);
  ASSERT_EQ(submitter_.jobs.size(), 1u);
  const v1::JobSpec& spec = submitter_.jobs.begin()->second;
  EXPECT_EQ(spec.function(), "builtin:noop");
  EXPECT_EQ(spec.labels().at("trigger"), "created");
  const json items = json::parse(spec.source());
  EXPECT_EQ(items, json::parse(R"([{"bucket": "uploads", "key": "in/a b+cé.txt", "size": 12,
                                     "etag": "6f5902ac"}])"));
}

TEST(WebhookHandlerFunctionsTest, AUsersFunctionGetsTheS3EventRecordALambdaHandlerExpects) {
  TriggerConfig config = *ParseTriggerConfig("t.json", R"({"rules": [
      {"name": "thumbs", "source": {"type": "webhook"}, "job": {"function": "thumbnails"}}]})");
  RecordingSubmitter submitter;
  WebhookHandler handler(config, submitter);
  HttpReply reply = handler.Handle(Body("ceph:s3", "ObjectCreated:Put", "in/a b+cé.txt"));
  ASSERT_EQ(reply.status, 200) << reply.body;
  ASSERT_EQ(submitter.jobs.size(), 1u);
  const json items = json::parse(submitter.jobs.begin()->second.source());
  ASSERT_EQ(items.size(), 1u);
  const json& record = items[0]["Records"][0];
  EXPECT_EQ(record["eventSource"], "aws:s3");
  EXPECT_EQ(record["eventName"], "ObjectCreated:Put");
  EXPECT_EQ(record["s3"]["bucket"]["name"], "uploads");
  EXPECT_EQ(record["s3"]["bucket"]["arn"], "arn:aws:s3:::uploads");
  // As S3 sends keys: percent-encoded, a space as '+' (handlers decode it so).
  EXPECT_EQ(record["s3"]["object"]["key"], "in/a+b%2Bc%C3%A9.txt");
  EXPECT_EQ(record["s3"]["object"]["size"], 12);
  EXPECT_EQ(record["s3"]["object"]["eTag"], "6f5902ac");
}

TEST_F(WebhookHandlerTest, TheSameEventTwiceOrInAnotherDialectIsOneJob) {
  EXPECT_EQ(
      json::parse(
          handler_.Handle(Body("ceph:s3", "ObjectCreated:Put", "a b+cé.txt")).body)["accepted"],
      1);
  json again =
      json::parse(handler_.Handle(Body("ceph:s3", "ObjectCreated:Put", "a b+cé.txt")).body);
  EXPECT_EQ(again["accepted"], 0);
  EXPECT_EQ(again["duplicates"], 1);
  // AWS and MinIO URL-encode keys, '+' for a space: the same object, the same job.
  json aws =
      json::parse(handler_.Handle(Body("aws:s3", "ObjectCreated:Put", "a+b%2Bc%C3%A9.txt")).body);
  EXPECT_EQ(aws["duplicates"], 1);
  EXPECT_EQ(submitter_.jobs.size(), 1u);
  EXPECT_EQ(handler_.counts().duplicates, 2u);
}

TEST_F(WebhookHandlerTest, FiltersLeaveOtherEventsIgnored) {
  for (const std::string& body : {Body("ceph:s3", "ObjectRemoved:Delete", "a.txt"),
                                  Body("ceph:s3", "ObjectCreated:Put", "a.jpg"),
                                  Body("ceph:s3", "ObjectCreated:Put", "a.txt", "other")}) {
    HttpReply reply = handler_.Handle(body);
    EXPECT_EQ(reply.status, 200);
    EXPECT_EQ(json::parse(reply.body)["ignored"], 1);
  }
  EXPECT_TRUE(submitter_.jobs.empty());
}

TEST_F(WebhookHandlerTest, BadBodiesAre4xxAndSubmitNothing) {
  EXPECT_EQ(handler_.Handle("{not json").status, 400);
  EXPECT_THAT(handler_.Handle(R"({"Records": [{"eventName": "ObjectCreated:Put"}]})").body,
              HasSubstr("Records[0].s3: missing"));
  EXPECT_THAT(handler_.Handle(std::string(1000, '[') + std::string(1000, ']')).body,
              HasSubstr("body: nested deeper than 64 levels"));
  EXPECT_THAT(handler_.Handle("{\"Records\": \"\xFC\"}").body, HasSubstr("body: not valid UTF-8"));
  EXPECT_EQ(handler_.Handle(std::string(3000, ' ')).status, 413);
  EXPECT_TRUE(submitter_.jobs.empty());
  EXPECT_EQ(handler_.counts().rejected, 5u);
  // The next good event still runs.
  EXPECT_EQ(handler_.Handle(Body("ceph:s3", "ObjectCreated:Put", "a.txt")).status, 200);
  EXPECT_EQ(submitter_.jobs.size(), 1u);
}

TEST_F(WebhookHandlerTest, AnEventTheCoordinatorRefusesLosesNoOtherEvent) {
  json two = json::parse(Body("ceph:s3", "ObjectCreated:Put", "a.txt"));
  two["Records"].push_back(two["Records"][0]);
  two["Records"][0]["s3"]["object"]["key"] = "refuse-me.txt";
  HttpReply reply = handler_.Handle(two.dump());
  EXPECT_EQ(reply.status, 200) << reply.body;
  json body = json::parse(reply.body);
  EXPECT_EQ(body["accepted"], 1);
  ASSERT_EQ(body["rejected"].size(), 1u);
  EXPECT_THAT(body["rejected"][0].get<std::string>(), HasSubstr("refuse-me.txt: source: item 0"));
  EXPECT_EQ(submitter_.jobs.size(), 1u);
  // Only refused events: the post is refused (422), a rule to fix.
  two["Records"].erase(1);
  EXPECT_EQ(handler_.Handle(two.dump()).status, 422);
}

TEST_F(WebhookHandlerTest, OneBadRecordLosesNothingElse) {
  // A good record beside one with an unknown event name and one whose key decodes to bytes that
  // are not UTF-8: the good one is taken (a 4xx would make AWS drop it), the others named.
  json three = json::parse(Body("aws:s3", "ObjectCreated:Put", "a.txt"));
  three["Records"].push_back(three["Records"][0]);
  three["Records"].push_back(three["Records"][0]);
  three["Records"][1]["eventName"] = "Teleported:Away";
  three["Records"][2]["s3"]["object"]["key"] = "Z%FCrich.txt";
  HttpReply reply = handler_.Handle(three.dump());
  EXPECT_EQ(reply.status, 200);
  json body = json::parse(reply.body);
  EXPECT_EQ(body["accepted"], 1);
  ASSERT_EQ(body["rejected"].size(), 2u);
  EXPECT_THAT(body["rejected"][0].get<std::string>(),
              HasSubstr("Records[1].eventName: 'Teleported:Away'"));
  EXPECT_THAT(body["rejected"][1].get<std::string>(),
              HasSubstr("Records[2].s3.object.key: 'Z%FCrich.txt' decodes to bytes that are not "
                        "UTF-8 (\"Z\\xfcrich.txt\")"));
  EXPECT_EQ(submitter_.jobs.size(), 1u);
  EXPECT_EQ(handler_.counts().rejected, 2u);
  // Every record bad: the post is refused as a whole.
  three["Records"].erase(0);
  EXPECT_EQ(handler_.Handle(three.dump()).status, 400);
}

TEST_F(WebhookHandlerTest, AnUnreachableCoordinatorIs503SoTheSourceRetries) {
  submitter_.down = true;
  json body = json::parse(Body("ceph:s3", "ObjectCreated:Put", "a.txt"));
  for (const char* key : {"b.txt", "c.txt", "d.txt"}) {
    json record = body["Records"][0];
    record["s3"]["object"]["key"] = key;
    body["Records"].push_back(record);
  }
  HttpReply reply = handler_.Handle(body.dump());
  EXPECT_EQ(reply.status, 503);
  EXPECT_THAT(reply.body, HasSubstr("connection refused"));
  // Each submission waits out its deadline for an absent coordinator: the post is answered after
  // the first, not after one wait per event.
  EXPECT_EQ(submitter_.calls, 1);
}

TEST_F(WebhookHandlerTest, APostsEventsAreSubmittedInOneCallEachItsOwnJob) {
  json body = json::parse(Body("ceph:s3", "ObjectCreated:Put", "0.txt"));
  for (int i = 1; i < 50; ++i) {
    json record = body["Records"][0];
    record["s3"]["object"]["key"] = std::to_string(i) + ".txt";
    body["Records"].push_back(record);
  }
  config_.max_body_bytes = 1 << 20;
  WebhookHandler handler(config_, submitter_);
  HttpReply reply = handler.Handle(body.dump());
  EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(json::parse(reply.body)["accepted"], 50);
  EXPECT_EQ(json::parse(reply.body)["jobs"].size(), 50u);
  EXPECT_EQ(submitter_.all_calls, 1) << "one call (one disk sync) for the post's events";
  EXPECT_EQ(submitter_.jobs.size(), 50u);
}

TEST(WebhookBatchingTest, APostsRecordsGoIntoOneBatch) {
  const TriggerConfig config = *ParseTriggerConfig("t.json", R"({"rules": [
      {"name": "b", "source": {"type": "webhook"}, "job": {"function": "builtin:noop"},
       "batch": {"max_events": 10, "max_wait": "400ms"}}]})");
  RecordingSubmitter submitter;
  WebhookHandler handler(config, submitter);
  json body = json::parse(Body("ceph:s3", "ObjectCreated:Put", "a.txt"));
  for (const char* key : {"b.txt", "c.txt"}) {
    json record = body["Records"][0];
    record["s3"]["object"]["key"] = key;
    body["Records"].push_back(record);
  }
  const absl::Time start = absl::Now();
  HttpReply reply = handler.Handle(body.dump());
  EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(json::parse(reply.body)["accepted"], 3);
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));  // one window, not one per record
  ASSERT_EQ(submitter.jobs.size(), 1u);
  EXPECT_EQ(submitter.jobs.begin()->second.item_keys_size(), 3);
}

TEST_F(WebhookHandlerTest, AwsTestEventIsAcknowledged) {
  EXPECT_EQ(handler_.Handle(R"({"Service": "Amazon S3", "Event": "s3:TestEvent"})").status, 200);
}

TEST_F(WebhookHandlerTest, AwsEventsThroughAnSnsSubscriptionAreUnwrapped) {
  const json notification = {{"Type", "Notification"},
                             {"TopicArn", "arn:aws:sns:us-east-1:1:uploads"},
                             {"Message", Body("aws:s3", "ObjectCreated:Put", "in/a+b.txt")}};
  HttpReply reply = handler_.Handle(notification.dump());
  EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(json::parse(reply.body)["accepted"], 1);
  ASSERT_EQ(submitter_.jobs.size(), 1u);
  EXPECT_EQ(json::parse(submitter_.jobs.begin()->second.source())[0]["key"], "in/a b.txt");
  const json confirm = {{"Type", "SubscriptionConfirmation"},
                        {"TopicArn", "arn:aws:sns:us-east-1:1:uploads"},
                        {"SubscribeURL", "https://sns.example/confirm"}};
  EXPECT_EQ(handler_.Handle(confirm.dump()).status, 200);
  EXPECT_EQ(submitter_.jobs.size(), 1u);
  const json no_message = {{"Type", "Notification"}, {"TopicArn", "arn:aws:sns:us-east-1:1:x"}};
  EXPECT_EQ(handler_.Handle(no_message.dump()).status, 200) << "acknowledged, nothing submitted";
  EXPECT_EQ(submitter_.jobs.size(), 1u);
}

TEST(S3EventTest, DecodesKeysAsAwsEncodesThem) {
  EXPECT_EQ(DecodeEventKey("a+b%2Bc%C3%A9%2"), "a b+cé%2");
  EXPECT_EQ(DecodeEventKey("100%25"), "100%");
}

}  // namespace
}  // namespace fanout::trigger
