#include "trigger/config.h"

#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/functions.h"
#include "common/json_text.h"
#include "common/proto_time.h"
#include "nlohmann/json.hpp"
#include "trigger/config_fields.h"
#include "trigger/cron.h"

namespace fanout::trigger {
namespace {

using nlohmann::json;

absl::Status ParseFilter(const json& object, const std::string& where, EventFilter* filter) {
  if (!object.is_object()) return absl::InvalidArgumentError(where + "filter: must be an object");
  Fields f(object, where + "filter.");
  if (const json* events = f.Find("events"); events != nullptr) {
    if (!events->is_array()) return f.Error("events", "must be a list of event names");
    for (const json& e : *events) {
      std::string name = e.is_string() ? e.get<std::string>() : "";
      if (absl::StartsWith(name, "s3:")) name.erase(0, 3);  // AWS spells them s3:ObjectCreated:*
      if (!absl::StartsWith(name, "Object")) {
        return f.Error("events", absl::StrCat(e.dump(), " is not an S3 event name such as ",
                                              "ObjectCreated:* or ObjectRemoved:Delete"));
      }
      filter->events.push_back(name);
    }
  }
  if (absl::Status s = f.String("bucket", &filter->bucket); !s.ok()) return s;
  if (absl::Status s = f.String("prefix", &filter->prefix); !s.ok()) return s;
  if (absl::Status s = f.String("suffix", &filter->suffix); !s.ok()) return s;
  return f.NoOthers();
}

absl::Status ParseJob(const json& object, const std::string& where, bool own_source,
                      v1::JobSpec* job) {
  if (!object.is_object()) return absl::InvalidArgumentError(where + "job: must be an object");
  Fields f(object, where + "job.");
  std::string text;
  if (absl::Status s = f.String("function", &text, true); !s.ok()) return s;
  // Checked now: a rule naming no known function would otherwise drop every event it takes.
  if (absl::Status s = ParseFunction(text).status(); !s.ok()) {
    absl::string_view why = s.message();
    absl::ConsumePrefix(&why, "function: ");
    return f.Error("function", why);
  }
  job->set_function(text);
  // A schedule's job may name the data it runs over; an event's job runs over the event.
  if (own_source) {
    std::string source;
    if (absl::Status s = f.String("source", &source); !s.ok()) return s;
    job->set_source(source);
  }
  if (const json* params = f.Find("params"); params != nullptr) {
    if (!params->is_object()) return f.Error("params", "must be a JSON object");
    job->set_params_json(params->dump());
  }
  v1::JobOptions& o = *job->mutable_options();
  uint64_t n = 0;
  if (absl::Status s = f.Count("batch_size", 10'000, &n); !s.ok()) return s;
  o.set_batch_size(n);
  n = 0;
  if (absl::Status s = f.Count("max_attempts", 1'000, &n); !s.ok()) return s;
  o.set_max_attempts(n);
  n = 0;
  if (absl::Status s = f.Count("max_concurrency", 1'000'000, &n); !s.ok()) return s;
  o.set_max_concurrency(n);
  absl::Duration timeout = absl::ZeroDuration();
  if (absl::Status s = f.Duration("timeout", &timeout); !s.ok()) return s;
  if (timeout > absl::ZeroDuration()) ToProto(timeout, o.mutable_timeout());
  std::string results;
  if (absl::Status s = f.String("results", &results); !s.ok()) return s;
  job->set_results(results);
  return f.NoOthers();
}

absl::Status ParseSchedule(Fields& s, Schedule* schedule) {
  if (absl::Status st = s.String("cron", &schedule->cron, true); !st.ok()) return st;
  if (absl::Status st = s.String("time_zone", &schedule->time_zone); !st.ok()) return st;
  absl::StatusOr<CronSchedule> cron = CronSchedule::Parse(schedule->cron, schedule->time_zone);
  if (!cron.ok()) {
    absl::string_view why = cron.status().message();
    const bool zone = absl::ConsumePrefix(&why, "time_zone: ");
    absl::ConsumePrefix(&why, "cron: ");
    return s.Error(zone ? "time_zone" : "cron", why);
  }
  std::string missed = "skip";
  if (absl::Status st = s.String("missed", &missed); !st.ok()) return st;
  if (missed != "skip" && missed != "catch_up") {
    return s.Error("missed", absl::StrCat("'", missed, "' is neither skip nor catch_up"));
  }
  schedule->catch_up = missed == "catch_up";
  return s.Duration("grace", &schedule->grace);
}

absl::Status ParseDirectory(Fields& s, Directory* directory) {
  if (absl::Status st = s.String("path", &directory->path, true); !st.ok()) return st;
  if (!absl::StartsWith(directory->path, "/")) {
    return s.Error("path", absl::StrCat("'", directory->path, "' is not an absolute path"));
  }
  while (directory->path.size() > 1 && absl::EndsWith(directory->path, "/")) {
    directory->path.pop_back();
  }
  if (const json* scan = s.Find("scan_existing"); scan != nullptr) {
    if (!scan->is_boolean()) return s.Error("scan_existing", "must be true or false");
    directory->scan_existing = scan->get<bool>();
  }
  return absl::OkStatus();
}

absl::Status ParseQueue(const std::string& type, Fields& s, QueueSource* q) {
  if (absl::Status st = s.String("address", &q->address, true); !st.ok()) return st;
  if (type == "redis") {
    if (absl::Status st = s.String("stream", &q->stream, true); !st.ok()) return st;
    if (absl::Status st = s.String("group", &q->group, true); !st.ok()) return st;
    if (absl::Status st = s.String("consumer", &q->consumer); !st.ok()) return st;
    if (absl::Status st = s.String("start", &q->start); !st.ok()) return st;
    if (absl::Status st = s.Duration("claim_idle", &q->claim_idle); !st.ok()) return st;
  }
  if (type == "nats") {
    if (!absl::StartsWith(q->address, "nats://")) {
      return s.Error("address", absl::StrCat("'", q->address, "' is not nats://HOST:PORT"));
    }
    if (absl::Status st = s.String("stream", &q->stream, true); !st.ok()) return st;
    if (absl::Status st = s.String("durable", &q->group, true); !st.ok()) return st;
    if (absl::Status st = s.String("subject", &q->subject, true); !st.ok()) return st;
    if (absl::Status st = s.Duration("ack_wait", &q->claim_idle); !st.ok()) return st;
  }
  if (type == "amqp") {
    if (!absl::StartsWith(q->address, "amqp://")) {
      return s.Error("address",
                     absl::StrCat("'", q->address, "' is not amqp://USER:PASS@HOST:PORT/VHOST"));
    }
    if (absl::Status st = s.String("queue", &q->queue, true); !st.ok()) return st;
    if (absl::Status st = s.String("exchange", &q->stream); !st.ok()) return st;
    if (absl::Status st = s.String("routing_key", &q->subject); !st.ok()) return st;
  }
  if (absl::Status st = s.Count("count", 10'000, &q->count); !st.ok()) return st;
  return s.Duration("block", &q->block);
}

absl::Status ParseSource(const json* source, const std::string& where, Rule* rule) {
  if (source == nullptr || !source->is_object()) {
    return absl::InvalidArgumentError(
        where + "source: required: an object such as {\"type\": \"webhook\"}");
  }
  Fields s(*source, where + "source.");
  if (absl::Status st = s.String("type", &rule->source, true); !st.ok()) return st;
  absl::Status parsed;
  if (rule->source == "schedule") {
    parsed = ParseSchedule(s, &rule->schedule);
  } else if (rule->source == "directory") {
    parsed = ParseDirectory(s, &rule->directory);
  } else if (rule->source == "redis" || rule->source == "nats" || rule->source == "amqp") {
    parsed = ParseQueue(rule->source, s, &rule->queue);
  } else if (rule->source != "webhook") {
    return s.Error("type", absl::StrCat("'", rule->source, "' is not a source this trigger ",
                                        "has (webhook, schedule, directory, redis, nats, amqp)"));
  }
  return parsed.ok() ? s.NoOthers() : parsed;
}

// What a rule's source allows of filter and reconcile.
absl::Status CheckFilterFits(const json& object, const Rule& rule, Fields& f) {
  const char* other = object.contains("reconcile") ? "reconcile" : "filter";
  if (rule.source == "schedule" && (object.contains("filter") || object.contains("reconcile"))) {
    return f.Error(other, "a schedule has no events to filter or reconcile");
  }
  const EventFilter& filter = rule.filter;
  if (rule.source == "directory" && (!filter.events.empty() || !filter.bucket.empty() ||
                                     !filter.prefix.empty() || object.contains("reconcile"))) {
    return f.Error(other,
                   "a directory rule filters by filter.suffix only (and scans with "
                   "source.scan_existing)");
  }
  return absl::OkStatus();
}

absl::Status ParseReconcile(const json& reconcile, const std::string& where, Rule* rule) {
  if (!reconcile.is_object())
    return absl::InvalidArgumentError(where + "reconcile: must be an object");
  Fields r(reconcile, where + "reconcile.");
  rule->reconcile.enabled = true;
  if (absl::Status s = r.Duration("every", &rule->reconcile.every); !s.ok()) return s;
  if (absl::Status s = r.Duration("lookback", &rule->reconcile.lookback); !s.ok()) return s;
  if (absl::Status s = r.NoOthers(); !s.ok()) return s;
  if (rule->filter.bucket.empty()) {
    return absl::InvalidArgumentError(
        where + "reconcile: needs filter.bucket: the bucket whose listing it scans");
  }
  // A listing finds objects that exist: it stands in for ObjectCreated events only.
  bool created = rule->filter.events.empty();
  for (const std::string& e : rule->filter.events) created |= absl::StartsWith(e, "ObjectCreated");
  if (!created) {
    return absl::InvalidArgumentError(
        where +
        "reconcile: the filter takes no ObjectCreated events, which is all a listing finds");
  }
  return absl::OkStatus();
}

absl::Status ParseBatch(const json& batch, const std::string& where, Rule* rule) {
  if (rule->source != "webhook") {
    // Queue consumers deliver one message at a time: a window would only delay each.
    return absl::InvalidArgumentError(where + "batch: only webhook rules batch events");
  }
  if (!batch.is_object()) return absl::InvalidArgumentError(where + "batch: must be an object");
  Fields b(batch, where + "batch.");
  if (absl::Status s = b.Count("max_events", 10'000, &rule->batch.max_events); !s.ok()) return s;
  if (absl::Status s = b.Duration("max_wait", &rule->batch.max_wait); !s.ok()) return s;
  if (rule->batch.max_wait > absl::Seconds(10)) {
    return b.Error("max_wait", "at most 10s: the sender waits for the batch");
  }
  return b.NoOthers();
}

absl::Status ParseRule(const json& object, const std::string& where, Rule* rule) {
  Fields f(object, where);
  if (absl::Status s = ParseSource(f.Find("source"), where, rule); !s.ok()) return s;
  if (const json* filter = f.Find("filter"); filter != nullptr) {
    if (absl::Status s = ParseFilter(*filter, where, &rule->filter); !s.ok()) return s;
  }
  const json* job = f.Find("job");
  if (job == nullptr) return f.Error("job", "required: the job an event becomes");
  const bool own_source = rule->source == "schedule";
  if (absl::Status s = ParseJob(*job, where, own_source, &rule->job); !s.ok()) return s;
  if (absl::Status s = CheckFilterFits(object, *rule, f); !s.ok()) return s;
  if (const json* reconcile = f.Find("reconcile"); reconcile != nullptr) {
    if (absl::Status s = ParseReconcile(*reconcile, where, rule); !s.ok()) return s;
  }
  if (const json* batch = f.Find("batch"); batch != nullptr) {
    if (absl::Status s = ParseBatch(*batch, where, rule); !s.ok()) return s;
  }
  if (const json* auth = f.Find("auth"); auth != nullptr) {
    if (absl::Status s = ParseWebhookAuth(*auth, where, rule); !s.ok()) return s;
  }
  return f.NoOthers();
}

}  // namespace

absl::StatusOr<TriggerConfig> ParseTriggerConfig(const std::string& path, const std::string& text) {
  absl::StatusOr<json> parsed = ParseJson(text, path);
  if (!parsed.ok()) return parsed.status();
  const json& root = *parsed;
  if (!root.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": not a JSON object"));
  }
  TriggerConfig config;
  config.path = path;
  Fields f(root, path + ": ");
  uint64_t max_body = config.max_body_bytes;
  if (absl::Status s = f.Count("max_body_bytes", 1ull << 30, &max_body); !s.ok()) return s;
  config.max_body_bytes = max_body;
  const json* rules = f.Find("rules");
  if (rules == nullptr || !rules->is_array() || rules->empty()) {
    return f.Error("rules", "required: a non-empty list of rules");
  }
  if (absl::Status s = f.NoOthers(); !s.ok()) return s;
  std::set<std::string> names;
  for (size_t i = 0; i < rules->size(); ++i) {
    const json& r = (*rules)[i];
    Rule rule;
    rule.name = r.is_object() && r.contains("name") && r["name"].is_string()
                    ? r["name"].get<std::string>()
                    : "";
    const std::string where = absl::StrCat(path, ": rule '", rule.name, "' (#", i + 1, "): ");
    if (!r.is_object()) return absl::InvalidArgumentError(where + "must be an object");
    if (rule.name.empty()) return absl::InvalidArgumentError(where + "name: required");
    if (!names.insert(rule.name).second) {
      return absl::InvalidArgumentError(where + "name: used by an earlier rule");
    }
    json rest = r;
    rest.erase("name");
    if (absl::Status s = ParseRule(rest, where, &rule); !s.ok()) return s;
    config.rules.push_back(std::move(rule));
  }
  return config;
}

absl::StatusOr<TriggerConfig> LoadTriggerConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::InvalidArgumentError(absl::StrCat(path, ": cannot read the config file"));
  std::stringstream text;
  text << in.rdbuf();
  return ParseTriggerConfig(path, text.str());
}

bool HasOpenWebhookRules(const TriggerConfig& config) {
  for (const Rule& rule : config.rules) {
    if (rule.source == "webhook" && rule.auth.type == WebhookAuth::Type::kNone) return true;
  }
  return false;
}

}  // namespace fanout::trigger
