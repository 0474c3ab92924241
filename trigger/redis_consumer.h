// Redis Streams source: a consumer group reader (XREADGROUP) that acknowledges an entry (XACK)
// only after the coordinator accepted its job. Streams never redeliver on their own, so a reaper
// (XAUTOCLAIM) takes over entries left pending longer than `claim_idle` — by a trigger that died,
// or by this one while the coordinator was away — and delivers them again: same entry id, same key,
// one job.
#ifndef FANOUT_TRIGGER_REDIS_CONSUMER_H_
#define FANOUT_TRIGGER_REDIS_CONSUMER_H_

#include <string>
#include <vector>

#include "trigger/config.h"
#include "trigger/consumer_thread.h"
#include "trigger/job_submitter.h"

struct redisContext;
struct redisReply;

namespace fanout::trigger {

class RedisConsumer {
 public:
  RedisConsumer(Rule rule, JobSubmitter& submitter);

  void Start();

  // One stream entry: its id and the message body it carries, or why it cannot carry one.
  struct Entry {
    std::string id, body;
    std::string bad;
  };
  // An entry from its fields. Stream fields are binary-safe: a value that is not UTF-8 becomes
  // {"base64": ...} (as a binary body does, see BodyItem); a field "body" carries the message
  // itself; a field name that is not UTF-8 makes an entry that cannot become an item (body left
  // empty, `bad` says why).
  static Entry EntryOf(std::string id,
                       const std::vector<std::pair<std::string, std::string>>& fields);

 private:
  // One connection's life: false when it broke (the loop reconnects).
  bool Session(redisContext* redis);
  // Delivers entries and acknowledges the ones that are done with; false if the link broke.
  bool Deliver(redisContext* redis, const std::vector<Entry>& entries);
  std::vector<Entry> Entries(const redisReply* list) const;
  // Takes over (and delivers) the entries pending longer than `idle` ms, whoever read them.
  bool Reap(redisContext* redis, const std::string& idle, const std::string& count);

  const Rule rule_;
  JobSubmitter& submitter_;
  std::string consumer_;
  ConsumerThread thread_;  // last: joined before the members its session uses go
};

}  // namespace fanout::trigger

#endif  // FANOUT_TRIGGER_REDIS_CONSUMER_H_
