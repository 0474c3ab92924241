// A queue message into jobs: an AMQP or NATS body (JSON, text, binary, S3 notifications), and a
// Redis stream entry's fields (the first byte says how many, the rest is split at NULs).
#include "absl/strings/str_split.h"
#include "fuzz/fuzzed.h"
#include "trigger/message_events.h"
#include "trigger/redis_consumer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view text = fanout::fuzz::Text(data, size);
  const uint8_t fields = fanout::fuzz::TakeByte(&text);
  fanout::trigger::Rule rule;
  rule.name = "q";
  rule.source = "amqp";
  rule.job.set_function("builtin:noop");
  std::vector<std::string> rejected;
  (void)fanout::trigger::MessageJobs(rule, text, "m-1", &rejected);
  (void)fanout::trigger::BodyItem(text);
  std::vector<std::pair<std::string, std::string>> pairs;
  std::vector<absl::string_view> parts = absl::StrSplit(text, absl::ByChar('\0'));
  for (size_t i = 0; i + 1 < parts.size() && pairs.size() < fields % 8; i += 2) {
    pairs.emplace_back(std::string(parts[i]), std::string(parts[i + 1]));
  }
  fanout::trigger::RedisConsumer::Entry entry =
      fanout::trigger::RedisConsumer::EntryOf("1-1", pairs);
  if (entry.bad.empty()) (void)fanout::trigger::MessageJobs(rule, entry.body, entry.id, nullptr);
  return 0;
}
