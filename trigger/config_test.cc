#include "trigger/config.h"

#include <cstdlib>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fanout::trigger {
namespace {

using ::testing::HasSubstr;

std::string ErrorOf(const std::string& text) {
  return std::string(ParseTriggerConfig("t.json", text).status().message());
}

TEST(TriggerConfigTest, ReadsARuleWithFilterJobAndReconcile) {
  absl::StatusOr<TriggerConfig> config = ParseTriggerConfig("t.json", R"({
    "max_body_bytes": 4096,
    "rules": [{"name": "thumbs", "source": {"type": "webhook"},
               "filter": {"events": ["s3:ObjectCreated:*"], "bucket": "up", "prefix": "in/",
                          "suffix": ".jpg"},
               "job": {"function": "builtin:noop", "params": {"size": 64}, "batch_size": 2,
                       "max_attempts": 4, "timeout": "1m30s"},
               "reconcile": {"every": "10s", "lookback": "2h"}}]})");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->max_body_bytes, 4096u);
  ASSERT_EQ(config->rules.size(), 1u);
  const Rule& rule = config->rules[0];
  EXPECT_EQ(rule.filter.events, std::vector<std::string>{"ObjectCreated:*"});
  EXPECT_EQ(rule.filter.suffix, ".jpg");
  EXPECT_EQ(rule.job.function(), "builtin:noop");
  EXPECT_EQ(rule.job.results(), "");
  EXPECT_EQ(rule.job.params_json(), R"({"size":64})");
  EXPECT_EQ(rule.job.options().batch_size(), 2u);
  EXPECT_EQ(rule.job.options().timeout().seconds(), 90);
  EXPECT_TRUE(rule.reconcile.enabled);
  EXPECT_EQ(rule.reconcile.every, absl::Seconds(10));
  EXPECT_EQ(rule.reconcile.lookback, absl::Hours(2));
}

TEST(TriggerConfigTest, ErrorsNameTheFileTheRuleAndTheField) {
  EXPECT_THAT(ErrorOf("{"), HasSubstr("t.json: not valid JSON (parse error at line 1, column 2"));
  EXPECT_THAT(ErrorOf("[]"), HasSubstr("t.json: not a JSON object"));
  EXPECT_THAT(ErrorOf(std::string(100, '[')), HasSubstr("t.json: nested deeper than 64"));
  EXPECT_THAT(ErrorOf(R"({"rules": []})"), HasSubstr("t.json: rules: required"));
  EXPECT_THAT(ErrorOf(R"({"rules": [{"name": "a", "source": {"type": "webhook"},
                                     "job": {"function": "builtin:noop", "timeout": "soon"}}]})"),
              HasSubstr("t.json: rule 'a' (#1): job.timeout: 'soon' is not a positive duration"));
  EXPECT_THAT(ErrorOf(R"({"rules": [{"name": "a", "source": {"type": "webhook"},
                                     "job": {"function": "builtin:noop"}},
                                    {"name": "b", "source": {"type": "ftp"}, "job": {}}]})"),
              HasSubstr("rule 'b' (#2): source.type: 'ftp' is not a source"));
  EXPECT_THAT(ErrorOf(R"({"rules": [{"name": "a", "source": {"type": "webhook"}, "job": {}}]})"),
              HasSubstr("rule 'a' (#1): job.function: required"));
  EXPECT_THAT(ErrorOf(R"({"rules": [{"name": "a", "source": {"type": "webhook"},
                                     "job": {"function": "builtin:nopp"}}]})"),
              HasSubstr("rule 'a' (#1): job.function: unknown built-in 'nopp'"));
  EXPECT_THAT(ErrorOf(R"({"rules": [{"name": "a", "source": {"type": "webhook"},
                                     "job": {"function": "builtin:noop"}, "filtre": {}}]})"),
              HasSubstr("rule 'a' (#1): filtre: unknown field"));
  EXPECT_THAT(ErrorOf(R"({"rules": [{"name": "a", "source": {"type": "webhook"},
                                     "filter": {"events": ["Created"]},
                                     "job": {"function": "builtin:noop"}}]})"),
              HasSubstr("filter.events: \"Created\" is not an S3 event name"));
  EXPECT_THAT(ErrorOf(R"({"rules": [{"name": "a", "source": {"type": "webhook"},
                                     "job": {"function": "builtin:noop"},
                                     "reconcile": {"every": "1m"}}]})"),
              HasSubstr("reconcile: needs filter.bucket"));
  EXPECT_THAT(ErrorOf(R"({"rules": [{"name": "a", "source": {"type": "webhook"},
                                     "filter": {"bucket": "b", "events": ["ObjectRemoved:*"]},
                                     "job": {"function": "builtin:noop"},
                                     "reconcile": {"every": "1m"}}]})"),
              HasSubstr("reconcile: the filter takes no ObjectCreated events"));
  EXPECT_THAT(ErrorOf(R"({"rules": [{"source": {"type": "webhook"}}]})"),
              HasSubstr("rule '' (#1): name: required"));
}

TEST(TriggerConfigTest, ScheduleRules) {
  absl::StatusOr<TriggerConfig> config = ParseTriggerConfig("t.json", R"({"rules": [
      {"name": "nightly", "source": {"type": "schedule", "cron": "0 3 * * *",
                                     "time_zone": "Europe/Berlin", "missed": "catch_up"},
       "job": {"function": "builtin:s3-copy", "source": "s3://photos/"}}]})");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_TRUE(config->rules[0].schedule.catch_up);
  EXPECT_EQ(config->rules[0].job.source(), "s3://photos/");
  absl::StatusOr<TriggerConfig> no_source = ParseTriggerConfig("t.json", R"({"rules": [
      {"name": "tick", "source": {"type": "schedule", "cron": "@every 1s"},
       "job": {"function": "builtin:noop"}}]})");
  ASSERT_TRUE(no_source.ok()) << no_source.status();
  EXPECT_EQ(no_source->rules[0].job.source(), "");
  auto rule = [](const std::string& source, const std::string& extra = "") {
    return ErrorOf(R"({"rules": [{"name": "s", "source": )" + source +
                   R"(, "job": {"function": "builtin:noop"})" + extra + "}]}");
  };
  EXPECT_THAT(rule(R"({"type": "schedule", "cron": "0 25 * * *"})"),
              HasSubstr("rule 's' (#1): source.cron: hour: '25' is not 0-23"));
  EXPECT_THAT(rule(R"({"type": "schedule", "cron": "@daily", "time_zone": "Nowhere"})"),
              HasSubstr("source.time_zone: 'Nowhere' is not a known zone"));
  EXPECT_THAT(rule(R"({"type": "schedule", "cron": "@daily", "missed": "later"})"),
              HasSubstr("source.missed: 'later' is neither skip nor catch_up"));
  EXPECT_THAT(rule(R"({"type": "schedule", "cron": "@daily"})", R"(, "filter": {})"),
              HasSubstr("filter: a schedule has no events"));
  // An event's job runs over the event: it names no source of its own.
  EXPECT_THAT(ErrorOf(R"({"rules": [{"name": "w", "source": {"type": "webhook"},
                                     "job": {"function": "builtin:noop", "source": "range:1-2"}}]})"),
              HasSubstr("job.source: unknown field"));
}

TEST(TriggerConfigTest, DirectoryRules) {
  absl::StatusOr<TriggerConfig> config = ParseTriggerConfig("t.json", R"({"rules": [
      {"name": "inbox", "source": {"type": "directory", "path": "/data/in/", "scan_existing": true},
       "filter": {"suffix": ".csv"}, "job": {"function": "builtin:lines"}}]})");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->rules[0].directory.path, "/data/in");
  EXPECT_TRUE(config->rules[0].directory.scan_existing);
  EXPECT_THAT(ErrorOf(R"({"rules": [{"name": "d", "source": {"type": "directory", "path": "in"},
                                     "job": {"function": "builtin:noop"}}]})"),
              HasSubstr("rule 'd' (#1): source.path: 'in' is not an absolute path"));
  EXPECT_THAT(ErrorOf(R"({"rules": [{"name": "d", "source": {"type": "directory", "path": "/in"},
                                     "filter": {"bucket": "b"},
                                     "job": {"function": "builtin:noop"}}]})"),
              HasSubstr("filter: a directory rule filters by filter.suffix only"));
}

TEST(TriggerConfigTest, QueueRules) {
  absl::StatusOr<TriggerConfig> config = ParseTriggerConfig("t.json", R"({"rules": [
      {"name": "orders", "source": {"type": "redis", "address": "127.0.0.1:6379",
                                    "stream": "orders", "group": "g", "claim_idle": "5s"},
       "job": {"function": "builtin:noop"}}]})");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->rules[0].queue.claim_idle, absl::Seconds(5));
  EXPECT_EQ(config->rules[0].queue.start, "$");
  EXPECT_THAT(ErrorOf(R"({"rules": [{"name": "r", "source": {"type": "redis", "stream": "s"},
                                     "job": {"function": "builtin:noop"}}]})"),
              HasSubstr("rule 'r' (#1): source.address: required"));
  EXPECT_THAT(ErrorOf(R"({"rules": [{"name": "r", "source": {"type": "redis", "address": "h:1",
                                     "stream": "s", "group": "g", "count": 0},
                                     "job": {"function": "builtin:noop"}}]})"),
              HasSubstr("source.count: must be a whole number from 1 to 10000"));
  EXPECT_THAT(ErrorOf(R"({"rules": [{"name": "n", "source": {"type": "nats", "address": "h:4222",
                                     "stream": "S", "durable": "d", "subject": "s.>"},
                                     "job": {"function": "builtin:noop"}}]})"),
              HasSubstr("source.address: 'h:4222' is not nats://HOST:PORT"));
  EXPECT_THAT(ErrorOf(R"({"rules": [{"name": "n", "source": {"type": "nats",
                                     "address": "nats://h:4222", "stream": "S", "durable": "d"},
                                     "job": {"function": "builtin:noop"}}]})"),
              HasSubstr("source.subject: required"));
  EXPECT_THAT(ErrorOf(R"({"rules": [{"name": "a", "source": {"type": "amqp",
                                     "address": "amqp://h:5672/"},
                                     "job": {"function": "builtin:noop"}}]})"),
              HasSubstr("rule 'a' (#1): source.queue: required"));
}

TEST(TriggerConfigTest, BatchingWindows) {
  absl::StatusOr<TriggerConfig> config = ParseTriggerConfig("t.json", R"({"rules": [
      {"name": "w", "source": {"type": "webhook"}, "job": {"function": "builtin:noop"},
       "batch": {"max_events": 50, "max_wait": "200ms"}}]})");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->rules[0].batch.max_events, 50u);
  EXPECT_EQ(config->rules[0].batch.max_wait, absl::Milliseconds(200));
  EXPECT_THAT(ErrorOf(R"({"rules": [{"name": "r", "source": {"type": "redis", "address": "h:1",
                                     "stream": "s", "group": "g"},
                                     "job": {"function": "builtin:noop"},
                                     "batch": {"max_events": 5}}]})"),
              HasSubstr("rule 'r' (#1): batch: only webhook rules batch events"));
  EXPECT_THAT(ErrorOf(R"({"rules": [{"name": "w", "source": {"type": "webhook"},
                                     "job": {"function": "builtin:noop"},
                                     "batch": {"max_events": 5, "max_wait": "1m"}}]})"),
              HasSubstr("batch.max_wait: at most 10s"));
}

// A webhook rule with `auth` (JSON), as a whole config.
std::string AuthConfig(const std::string& auth, const std::string& source = "webhook") {
  return R"({"rules": [{"name": "w", "source": {"type": ")" + source +
         R"("}, "job": {"function": "builtin:noop"}, "auth": )" + auth + "}]}";
}

TEST(TriggerConfigTest, WebhookAuthReadsSecretsFromTheFileOrTheEnvironment) {
  setenv("FANOUT_TEST_HOOK_SECRET", "from-the-environment-0123", 1);
  absl::StatusOr<TriggerConfig> config = ParseTriggerConfig("t.json", R"({"rules": [
      {"name": "signed", "source": {"type": "webhook"}, "job": {"function": "builtin:noop"},
       "auth": {"type": "hmac", "secret_env": "FANOUT_TEST_HOOK_SECRET",
                "header": "X-Hub-Signature-256"}},
      {"name": "rgw", "source": {"type": "webhook"}, "job": {"function": "builtin:noop"},
       "auth": {"type": "path", "secret": "0123456789abcdef-_.~"}},
      {"name": "aws", "source": {"type": "webhook"}, "job": {"function": "builtin:noop"},
       "auth": {"type": "sns", "sns_topics": ["arn:aws:sns:us-east-1:1:a"]}}]})");
  ASSERT_TRUE(config.ok()) << config.status();
  const WebhookAuth& hmac = config->rules[0].auth;
  EXPECT_EQ(hmac.type, WebhookAuth::Type::kHmac);
  EXPECT_EQ(hmac.secret, "from-the-environment-0123");
  EXPECT_EQ(hmac.header, "x-hub-signature-256");  // as requests carry header names
  EXPECT_EQ(config->rules[1].auth.type, WebhookAuth::Type::kPath);
  EXPECT_EQ(config->rules[1].auth.secret, "0123456789abcdef-_.~");
  EXPECT_EQ(config->rules[2].auth.type, WebhookAuth::Type::kSns);
  EXPECT_EQ(config->rules[2].auth.sns_topics,
            std::vector<std::string>{"arn:aws:sns:us-east-1:1:a"});
  EXPECT_FALSE(HasOpenWebhookRules(*config));
  const TriggerConfig header_default = *ParseTriggerConfig(
      "t.json", AuthConfig(R"({"type": "hmac", "secret": "0123456789abcdef"})"));
  EXPECT_EQ(header_default.rules[0].auth.header, "x-fanout-signature");
}

TEST(TriggerConfigTest, OnlyWebhookRulesWithoutAuthAreOpen) {
  EXPECT_TRUE(HasOpenWebhookRules(*ParseTriggerConfig("t.json", R"({"rules": [
      {"name": "a", "source": {"type": "webhook"}, "job": {"function": "builtin:noop"},
       "auth": {"type": "path", "secret": "0123456789abcdef"}},
      {"name": "b", "source": {"type": "webhook"}, "job": {"function": "builtin:noop"}}]})")));
  EXPECT_FALSE(HasOpenWebhookRules(*ParseTriggerConfig("t.json", R"({"rules": [
      {"name": "s", "source": {"type": "schedule", "cron": "@daily"},
       "job": {"function": "builtin:noop"}}]})")));
}

TEST(TriggerConfigTest, WebhookAuthErrorsNameTheRuleAndFieldButNeverTheSecret) {
  const std::string short_secret = ErrorOf(AuthConfig(R"({"type": "hmac", "secret": "hunter2"})"));
  EXPECT_THAT(short_secret, HasSubstr("t.json: rule 'w' (#1): auth.secret: the secret is 7 bytes; "
                                      "at least 16 are needed"));
  EXPECT_THAT(short_secret, ::testing::Not(HasSubstr("hunter2")));
  unsetenv("FANOUT_TEST_UNSET_SECRET");
  EXPECT_THAT(ErrorOf(AuthConfig(R"({"type": "path", "secret_env": "FANOUT_TEST_UNSET_SECRET"})")),
              HasSubstr("rule 'w' (#1): auth.secret_env: $FANOUT_TEST_UNSET_SECRET is not set or "
                        "empty"));
  setenv("FANOUT_TEST_EMPTY_SECRET", "", 1);
  EXPECT_THAT(ErrorOf(AuthConfig(R"({"type": "hmac", "secret_env": "FANOUT_TEST_EMPTY_SECRET"})")),
              HasSubstr("auth.secret_env: $FANOUT_TEST_EMPTY_SECRET is not set or empty"));
  setenv("FANOUT_TEST_SHORT_SECRET", "short", 1);
  EXPECT_THAT(ErrorOf(AuthConfig(R"({"type": "hmac", "secret_env": "FANOUT_TEST_SHORT_SECRET"})")),
              HasSubstr("auth.secret_env: the secret is 5 bytes"));
  EXPECT_THAT(ErrorOf(AuthConfig(R"({"type": "hmac", "secret": "0123456789abcdef",
                                     "secrets": "x"})")),
              HasSubstr("rule 'w' (#1): auth.secrets: unknown field"));
  EXPECT_THAT(ErrorOf(AuthConfig(R"({"type": "path", "secret": "0123456789abcdef",
                                     "header": "X-Sig"})")),
              HasSubstr("auth.header: unknown field"));
  EXPECT_THAT(ErrorOf(AuthConfig(R"({"type": "hmac"})")),
              HasSubstr("auth.secret_env: give either secret_env"));
  EXPECT_THAT(ErrorOf(AuthConfig(R"({"type": "hmac", "secret": "0123456789abcdef",
                                     "secret_env": "X"})")),
              HasSubstr("auth.secret_env: give either secret_env"));
  EXPECT_THAT(ErrorOf(AuthConfig(R"({"type": "path", "secret": "0123456789abcdef/x"})")),
              HasSubstr("auth.secret: a path secret may hold only letters, digits"));
  EXPECT_THAT(ErrorOf(AuthConfig(R"({"type": "hmac", "secret": "0123456789abcdef",
                                     "header": "X Sig:"})")),
              HasSubstr("auth.header: 'X Sig:' is not a header name"));
  EXPECT_THAT(ErrorOf(AuthConfig(R"({"type": "sns"})")), HasSubstr("auth.sns_topics: required"));
  EXPECT_THAT(ErrorOf(AuthConfig(R"({"type": "sns", "sns_topics": ["uploads"]})")),
              HasSubstr("auth.sns_topics: \"uploads\" is not a TopicArn"));
  EXPECT_THAT(ErrorOf(AuthConfig(R"({"type": "basic"})")),
              HasSubstr("auth.type: 'basic' is none of hmac, path, sns"));
  EXPECT_THAT(ErrorOf(AuthConfig(R"("s3cr3t")")), HasSubstr("auth: must be an object"));
  EXPECT_THAT(ErrorOf(R"({"rules": [{"name": "d", "source": {"type": "directory", "path": "/in"},
                                     "job": {"function": "builtin:noop"},
                                     "auth": {"type": "path", "secret": "0123456789abcdef"}}]})"),
              HasSubstr("rule 'd' (#1): auth: only webhook rules"));
}

TEST(TriggerConfigTest, TheExampleConfigsLoad) {
  for (const char* name :
       {"examples/triggers/webhook-noop.json", "examples/triggers/s3-reconciled.json",
        "examples/triggers/nightly-schedule.json", "examples/triggers/inbox-directory.json",
        "examples/triggers/redis-orders.json", "examples/triggers/nats-events.json",
        "examples/triggers/amqp-rgw.json", "examples/triggers/webhook-batched.json",
        "examples/triggers/every-10s.json"}) {
    absl::StatusOr<TriggerConfig> config = LoadTriggerConfig(name);
    EXPECT_TRUE(config.ok()) << config.status();
  }
  EXPECT_THAT(std::string(LoadTriggerConfig("no/such.json").status().message()),
              HasSubstr("no/such.json: cannot read"));
}

}  // namespace
}  // namespace fanout::trigger
