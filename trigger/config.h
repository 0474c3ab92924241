// A trigger's configuration: rules, each a source of events, a filter, and the template of the job
// an accepted event becomes. JSON, read once at start; every error names the file, the rule and
// the field, so that a bad config is refused before anything listens.
//
//   {"max_body_bytes": 1048576,
//    "rules": [{"name": "thumbnails",
//               "source": {"type": "webhook"},
//               "filter": {"events": ["ObjectCreated:*"], "bucket": "uploads",
//                          "prefix": "in/", "suffix": ".jpg"},
//               "job": {"function": "builtin:noop", "params": {"size": 128},
//                       "batch_size": 1, "max_attempts": 3, "timeout": "30s"},
//               "reconcile": {"every": "60s", "lookback": "24h"},
//               "auth": {"type": "hmac", "secret_env": "FANOUT_WEBHOOK_SECRET"}},
//              {"name": "nightly-backup",
//               "source": {"type": "schedule", "cron": "0 3 * * *", "time_zone": "Europe/Berlin",
//                          "missed": "catch_up"},
//               "job": {"function": "builtin:s3-copy", "source": "s3://photos/",
//                       "params": {"dest": "s3://backup/photos/"}}}]}
#ifndef FANOUT_TRIGGER_CONFIG_H_
#define FANOUT_TRIGGER_CONFIG_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "proto/fanout.pb.h"

namespace fanout::trigger {

// Which events of a rule's source it takes, as S3 notification filters work.
struct EventFilter {
  std::vector<std::string> events;  // "ObjectCreated:*", "ObjectRemoved:Delete"; empty: all
  std::string bucket;               // empty: any
  std::string prefix, suffix;       // of the object key
};

// A periodic ListObjectsV2 of the rule's bucket and prefix that submits the objects whose events
// were missed (the webhook was down), keyed like their events so that nothing runs twice.
struct Reconcile {
  bool enabled = false;
  absl::Duration every = absl::Minutes(1);
  absl::Duration lookback = absl::Hours(24);  // objects modified longer ago are left alone
};

// A cron schedule (cron.h) and what to do about times missed while no trigger ran.
struct Schedule {
  std::string cron;       // "*/5 * * * *", "@daily", "@every 10m"
  std::string time_zone;  // empty: UTC
  bool catch_up = false;  // missed times: fire the most recent once (else skip them)
  absl::Duration grace = absl::Minutes(1);  // how late a fire may still be on time
};

// A local directory whose new files become events (source "directory").
struct Directory {
  std::string path;
  bool scan_existing = false;  // also the files there at start
};

// A queue to consume (sources "redis", "nats", "amqp"); which fields apply depends on the source.
struct QueueSource {
  std::string address;   // redis: host:port; nats: nats://host:port; amqp: amqp://u:p@host:port
  std::string stream;    // redis, nats: the stream; amqp: the exchange to bind to ("exchange")
  std::string group;     // redis: the consumer group; nats: the durable consumer ("durable")
  std::string consumer;  // redis: this reader's name (default host-pid)
  // nats: the subjects to consume, e.g. "events.>"; amqp: the binding key ("routing_key", "#")
  std::string subject;
  std::string queue;        // amqp: the queue
  std::string start = "$";  // redis: where a new group starts ("$": new entries, "0": all)
  uint64_t count = 100;     // entries per read, messages per fetch, AMQP prefetch
  absl::Duration block = absl::Seconds(1);  // how long one read waits for entries
  // redis: reclaim entries pending this long; nats: the consumer's AckWait ("ack_wait")
  absl::Duration claim_idle = absl::Seconds(30);
};

// Who may post a webhook rule's events (webhook_auth.h). Type kNone: anyone who reaches the port.
struct WebhookAuth {
  enum class Type { kNone, kHmac, kPath, kSns };
  Type type = Type::kNone;
  // kHmac: the HMAC-SHA256 key; kPath: the one path segment posts must name. Read from the file
  // ("secret") or, at load, from the environment ("secret_env").
  std::string secret;
  std::string header = "x-fanout-signature";  // kHmac: carries "sha256=HEX"; lower case
  std::vector<std::string> sns_topics;        // kSns: the TopicArns taken
};

// A webhook rule's batching window: events arriving together become one job (event_batcher.h).
struct Batching {
  uint64_t max_events = 1;  // 1: no batching, one job per event
  absl::Duration max_wait = absl::Milliseconds(100);
};

struct Rule {
  std::string name;
  // "webhook" (S3 event notifications over HTTP), "schedule", "directory", "redis", "nats", "amqp"
  std::string source;
  EventFilter filter;
  v1::JobSpec job;  // function, params and options; the source is the event's item
  Reconcile reconcile;
  Schedule schedule;    // source "schedule" only
  Directory directory;  // source "directory" only
  QueueSource queue;    // sources "redis", "nats", "amqp"
  Batching batch;       // source "webhook" only
  WebhookAuth auth;     // source "webhook" only
};

struct TriggerConfig {
  std::string path;
  size_t max_body_bytes = 1 << 20;
  std::vector<Rule> rules;
};

// INVALID_ARGUMENT naming "FILE: rule 'NAME' (#N): FIELD: why".
absl::StatusOr<TriggerConfig> ParseTriggerConfig(const std::string& path, const std::string& text);
absl::StatusOr<TriggerConfig> LoadTriggerConfig(const std::string& path);

// Whether any webhook rule takes posts from anyone: such a trigger should listen on loopback only.
bool HasOpenWebhookRules(const TriggerConfig& config);

}  // namespace fanout::trigger

#endif  // FANOUT_TRIGGER_CONFIG_H_
