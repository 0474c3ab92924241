#include "trigger/redis_consumer.h"

#include <hiredis/hiredis.h>
#include <unistd.h>

#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/json_text.h"
#include "common/process_util.h"
#include "common/utf8.h"
#include "glog/logging.h"
#include "nlohmann/json.hpp"
#include "trigger/message_events.h"

namespace fanout::trigger {
namespace {

struct ReplyFree {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyFree>;

Reply Command(redisContext* redis, const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  for (const std::string& a : args) {
    argv.push_back(a.data());
    lengths.push_back(a.size());
  }
  return Reply(static_cast<redisReply*>(
      redisCommandArgv(redis, static_cast<int>(args.size()), argv.data(), lengths.data())));
}

std::string Text(const redisReply* r) {
  return r != nullptr && r->str != nullptr ? std::string(r->str, r->len) : "";
}

}  // namespace

RedisConsumer::Entry RedisConsumer::EntryOf(
    std::string id, const std::vector<std::pair<std::string, std::string>>& fields) {
  Entry entry{std::move(id), "", ""};
  nlohmann::json object = nlohmann::json::object();
  for (const auto& [name, value] : fields) {
    if (!IsValidUtf8(name)) {
      entry.bad = absl::StrCat("field name \"", Printable(name), "\" is not UTF-8");
      return entry;
    }
    // An entry with a "body" field carries its message there; otherwise its fields are the item.
    if (name == "body") {
      entry.body = value;
      return entry;
    }
    object[name] = IsValidUtf8(value) ? nlohmann::json(value)
                                      : nlohmann::json{{"base64", absl::Base64Escape(value)}};
  }
  entry.body = DumpJson(object);
  return entry;
}

RedisConsumer::RedisConsumer(Rule rule, JobSubmitter& submitter)
    : rule_(std::move(rule)), submitter_(submitter) {
  consumer_ =
      rule_.queue.consumer.empty() ? absl::StrCat(HostName(), "-", getpid()) : rule_.queue.consumer;
}

void RedisConsumer::Start() {
  std::vector<std::string> host_port = absl::StrSplit(rule_.queue.address, ':');
  int port = 6379;
  if (host_port.size() == 2) (void)absl::SimpleAtoi(host_port[1], &port);
  thread_.Start(absl::StrCat("redis ", rule_.name, ": ", rule_.queue.address),
                [this, host = host_port[0], port](std::string* why) {
                  redisContext* redis = redisConnectWithTimeout(host.c_str(), port, {2, 0});
                  const bool ok = redis != nullptr && redis->err == 0 && Session(redis);
                  *why = redis != nullptr ? redis->errstr : "cannot connect";
                  if (redis != nullptr) redisFree(redis);
                  return ok;
                });
}

std::vector<RedisConsumer::Entry> RedisConsumer::Entries(const redisReply* list) const {
  std::vector<Entry> out;
  if (list == nullptr || list->type != REDIS_REPLY_ARRAY) return out;
  for (size_t i = 0; i < list->elements; ++i) {
    const redisReply* e = list->element[i];
    if (e->type != REDIS_REPLY_ARRAY || e->elements < 2) continue;  // deleted meanwhile
    if (e->element[1]->type != REDIS_REPLY_ARRAY) {  // XAUTOCLAIM of an entry deleted since
      out.push_back({Text(e->element[0]), "", "the entry was deleted from the stream"});
      continue;
    }
    std::vector<std::pair<std::string, std::string>> fields;
    const redisReply* f = e->element[1];
    for (size_t k = 0; f->type == REDIS_REPLY_ARRAY && k + 1 < f->elements; k += 2) {
      fields.emplace_back(Text(f->element[k]), Text(f->element[k + 1]));
    }
    out.push_back(EntryOf(Text(e->element[0]), fields));
  }
  return out;
}

bool RedisConsumer::Deliver(redisContext* redis, const std::vector<Entry>& entries) {
  std::vector<Message> messages;
  std::vector<size_t> index;  // the entry of each message
  for (size_t i = 0; i < entries.size(); ++i) {
    if (!entries[i].bad.empty()) continue;
    messages.push_back({entries[i].body, entries[i].id});
    index.push_back(i);
  }
  // The read's entries in one submit call (one disk sync for all of them).
  std::vector<Delivered> delivered(entries.size());
  const std::vector<Delivered> answers = DeliverMessages(rule_, submitter_, messages);
  for (size_t m = 0; m < answers.size(); ++m) delivered[index[m]] = answers[m];
  for (size_t i = 0; i < entries.size(); ++i) {
    const Entry& entry = entries[i];
    if (!entry.bad.empty()) delivered[i] = {Delivery::kRejected, entry.bad};
    const Delivered& d = delivered[i];
    if (d.delivery == Delivery::kRetryLater) {
      // Left pending, with the rest of this read: the coordinator is away for them too. The
      // reaper takes them again after claim_idle.
      LOG_EVERY_N(WARNING, 100) << "redis " << rule_.name << ": " << entry.id << ": " << d.why;
      return true;
    }
    LOG_IF(ERROR, d.delivery == Delivery::kRejected)
        << "redis " << rule_.name << ": entry " << entry.id << " dropped: " << d.why;
    Reply ack = Command(redis, {"XACK", rule_.queue.stream, rule_.queue.group, entry.id});
    if (ack == nullptr) return false;
  }
  return true;
}

bool RedisConsumer::Reap(redisContext* redis, const std::string& idle, const std::string& count) {
  const QueueSource& q = rule_.queue;
  // Page through the whole pending list, not just its first page: after an outage thousands of
  // entries may wait.
  std::string cursor = "0-0";
  do {
    Reply claimed =
        Command(redis, {"XAUTOCLAIM", q.stream, q.group, consumer_, idle, cursor, "COUNT", count});
    if (claimed == nullptr) return false;
    if (claimed->type != REDIS_REPLY_ARRAY || claimed->elements < 2) return true;
    if (!Deliver(redis, Entries(claimed->element[1]))) return false;
    cursor = Text(claimed->element[0]);
  } while (cursor != "0-0" && !thread_.stopping());
  return true;
}

bool RedisConsumer::Session(redisContext* redis) {
  const QueueSource& q = rule_.queue;
  Reply group = Command(redis, {"XGROUP", "CREATE", q.stream, q.group, q.start, "MKSTREAM"});
  if (group == nullptr) return false;
  if (group->type == REDIS_REPLY_ERROR && Text(group.get()).rfind("BUSYGROUP", 0) != 0) {
    LOG(ERROR) << "redis " << rule_.name << ": XGROUP CREATE: " << Text(group.get());
    return false;
  }
  const std::string count = absl::StrCat(q.count);
  const std::string block = absl::StrCat(absl::ToInt64Milliseconds(q.block));
  const std::string idle = absl::StrCat(absl::ToInt64Milliseconds(q.claim_idle));
  absl::Time reap_at = absl::Now();
  while (!thread_.stopping()) {
    if (absl::Now() >= reap_at) {
      if (!Reap(redis, idle, count)) return false;
      reap_at = absl::Now() + q.claim_idle / 2;
    }
    Reply read = Command(redis, {"XREADGROUP", "GROUP", q.group, consumer_, "COUNT", count, "BLOCK",
                                 block, "STREAMS", q.stream, ">"});
    if (read == nullptr) return false;
    if (read->type == REDIS_REPLY_ERROR) {
      LOG(ERROR) << "redis " << rule_.name << ": XREADGROUP: " << Text(read.get());
      return false;
    }
    if (read->type == REDIS_REPLY_ARRAY && read->elements > 0 &&
        !Deliver(redis, Entries(read->element[0]->element[1]))) {
      return false;
    }
  }
  return true;
}

}  // namespace fanout::trigger
