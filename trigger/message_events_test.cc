#include "trigger/message_events.h"

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "trigger/s3_event.h"

namespace fanout::trigger {
namespace {

using nlohmann::json;

Rule QueueRule() {
  Rule rule;
  rule.name = "q";
  rule.source = "redis";
  rule.job.set_function("builtin:noop");
  return rule;
}

TEST(MessageEventsTest, APlainMessageIsOneJobKeyedByItsId) {
  absl::StatusOr<std::vector<v1::JobSpec>> jobs =
      MessageJobs(QueueRule(), R"({"order": 7})", "1700000000000-0");
  ASSERT_TRUE(jobs.ok());
  ASSERT_EQ(jobs->size(), 1u);
  EXPECT_EQ(json::parse((*jobs)[0].source()), json::parse(R"([{"order": 7}])"));
  EXPECT_EQ((*jobs)[0].idempotency_key(), "redis/q/1700000000000-0");
  jobs = MessageJobs(QueueRule(), "not json", "2");
  ASSERT_TRUE(jobs.ok());
  EXPECT_EQ((*jobs)[0].source(), R"(["not json"])");
}

TEST(MessageEventsTest, S3EventsAreKeyedLikeTheWebhooksAndFiltered) {
  Rule rule = QueueRule();
  rule.filter.suffix = ".jpg";
  const std::string body = R"({"Records": [
      {"eventSource": "ceph:s3", "eventName": "ObjectCreated:Put",
       "s3": {"bucket": {"name": "bkt"}, "object": {"key": "a.jpg", "size": 3, "eTag": "e"}}},
      {"eventSource": "ceph:s3", "eventName": "ObjectCreated:Put",
       "s3": {"bucket": {"name": "bkt"}, "object": {"key": "a.txt", "size": 3, "eTag": "e"}}}]})";
  absl::StatusOr<std::vector<v1::JobSpec>> jobs = MessageJobs(rule, body, "m1");
  ASSERT_TRUE(jobs.ok());
  ASSERT_EQ(jobs->size(), 1u);
  EXPECT_EQ((*jobs)[0].idempotency_key(), "s3/q/bkt/a.jpg/e");
  EXPECT_FALSE(MessageJobs(rule, R"({"Records": [{"eventName": "x"}]})", "m2").ok());
}

TEST(MessageEventsTest, BodiesOfEveryClassBecomeAnItemOrAClearRefusal) {
  EXPECT_EQ(BodyItem(R"( {"a": [1]} )"), R"({"a":[1]})");
  EXPECT_EQ(BodyItem("plain text"), R"("plain text")");
  EXPECT_EQ(BodyItem(""), R"("")");
  EXPECT_EQ(BodyItem(std::string("\x00\xff", 2)), R"({"base64":"AP8="})");
  EXPECT_EQ(BodyItem("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
  const std::string deep = std::string(100000, '{') + std::string(100000, '}');
  EXPECT_EQ(BodyItem(deep).front(), '"') << "not JSON at all: a string";
  const std::string nested = std::string(100000, '[') + std::string(100000, ']');
  absl::StatusOr<std::vector<v1::JobSpec>> jobs = MessageJobs(QueueRule(), nested, "m");
  EXPECT_EQ(jobs.status().message(), "body: nested deeper than 64 levels of lists and objects");
  // A notification with one good record and one bad: the good one is a job, the bad one named.
  std::vector<std::string> rejected;
  jobs = MessageJobs(QueueRule(), R"({"Records": [{"eventName": "x"},
      {"eventSource": "ceph:s3", "eventName": "ObjectCreated:Put",
       "s3": {"bucket": {"name": "bkt"}, "object": {"key": "k", "eTag": "e"}}}]})",
                     "m", &rejected);
  ASSERT_TRUE(jobs.ok()) << jobs.status();
  EXPECT_EQ(jobs->size(), 1u);
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_EQ(rejected[0], "Records[0].eventName: 'x' is not an S3 event name");
}

class Flaky : public JobSubmitter {
 public:
  absl::StatusOr<Submitted> Submit(const v1::JobSpec& spec) override {
    if (down) return absl::UnavailableError("coordinator: down");
    if (spec.function() == "builtin:nope") return absl::InvalidArgumentError("no such function");
    if (spec.source() == R"(["refuse"])") return absl::InvalidArgumentError("refused");
    return Submitted{"job-1", true};
  }
  std::vector<absl::StatusOr<Submitted>> SubmitAll(const std::vector<v1::JobSpec>& specs) override {
    ++calls;
    submitted += specs.size();
    return JobSubmitter::SubmitAll(specs);
  }
  bool down = false;
  int calls = 0;
  size_t submitted = 0;
};

TEST(MessageEventsTest, AFetchsMessagesAreSubmittedInOneCallAndAnsweredEach) {
  Flaky submitter;
  const std::string two_records = R"({"Records": [
      {"eventSource": "ceph:s3", "eventName": "ObjectCreated:Put",
       "s3": {"bucket": {"name": "bkt"}, "object": {"key": "1", "eTag": "e"}}},
      {"eventSource": "ceph:s3", "eventName": "ObjectCreated:Put",
       "s3": {"bucket": {"name": "bkt"}, "object": {"key": "2", "eTag": "e"}}}]})";
  const std::vector<Message> fetch = {
      {two_records, "m1"}, {R"({"Records": 5})", "m2"}, {"refuse", "m3"}, {"{}", "m4"}};
  std::vector<Delivered> d = DeliverMessages(QueueRule(), submitter, fetch);
  ASSERT_EQ(d.size(), 4u);
  EXPECT_EQ(submitter.calls, 1);
  EXPECT_EQ(submitter.submitted, 4u);  // two records, "refuse" and "{}"
  EXPECT_EQ(d[0].delivery, Delivery::kAccepted) << d[0].why;
  EXPECT_EQ(d[1].delivery, Delivery::kRejected);
  EXPECT_EQ(d[2].delivery, Delivery::kRejected);
  EXPECT_EQ(d[2].why, "refused");
  EXPECT_EQ(d[3].delivery, Delivery::kAccepted);
  submitter.down = true;
  d = DeliverMessages(QueueRule(), submitter, fetch);
  EXPECT_EQ(d[0].delivery, Delivery::kRetryLater);
  EXPECT_EQ(d[1].delivery, Delivery::kRejected) << "a malformed message stays malformed";
  EXPECT_EQ(d[3].delivery, Delivery::kRetryLater);
}

TEST(MessageEventsTest, DeliveryTellsAcknowledgeRetryOrReject) {
  Flaky submitter;
  std::string why;
  EXPECT_EQ(DeliverMessage(QueueRule(), submitter, "{}", "1", &why), Delivery::kAccepted);
  submitter.down = true;
  EXPECT_EQ(DeliverMessage(QueueRule(), submitter, "{}", "1", &why), Delivery::kRetryLater);
  EXPECT_EQ(why, "coordinator: down");
  submitter.down = false;
  Rule bad = QueueRule();
  bad.job.set_function("builtin:nope");
  EXPECT_EQ(DeliverMessage(bad, submitter, "{}", "1", &why), Delivery::kRejected);
  EXPECT_EQ(DeliverMessage(QueueRule(), submitter, R"({"Records": 5})", "1", &why),
            Delivery::kRejected);
}

TEST(MessageEventsTest, PublisherIdsThatAreNotShortTextAreKeyedByTheirDigest) {
  EXPECT_EQ(PublisherIdKey("order-42"), "id/order-42");
  const std::string binary("\xff\xfe\x00id", 5);
  const std::string long_id(513, 'a');
  for (const std::string& id : {binary, long_id}) {
    const std::string key = PublisherIdKey(id);
    EXPECT_EQ(key.rfind("id-sha256/", 0), 0u) << key;
    EXPECT_EQ(key.size(), std::string("id-sha256/").size() + 64);
    EXPECT_EQ(key, PublisherIdKey(id)) << "a redelivery keeps its key";
  }
  EXPECT_NE(PublisherIdKey(binary), PublisherIdKey(long_id));
}

}  // namespace
}  // namespace fanout::trigger
