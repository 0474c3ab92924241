#include "trigger/s3_event.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "common/json_text.h"
#include "common/utf8.h"
#include "nlohmann/json.hpp"
#include "s3/s3_client.h"
#include "trigger/job_submitter.h"

namespace fanout::trigger {
namespace {

using nlohmann::json;

constexpr size_t kMaxS3KeyBytes = 1024;  // S3's own limit

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool KnownEventName(absl::string_view name) {
  for (absl::string_view prefix :
       {"ObjectCreated:", "ObjectRemoved:", "ObjectRestore:", "ObjectTagging:", "ObjectAcl:",
        "ObjectSynced:", "ObjectTransition",
        "ObjectExpiration:", "Replication:", "LifecycleExpiration:", "LifecycleTransition",
        "IntelligentTiering", "ReducedRedundancyLostObject"}) {
    if (absl::StartsWith(name, prefix)) return true;
  }
  return false;
}

absl::StatusOr<S3Event> ParseRecord(const json& record, size_t index) {
  const std::string where = absl::StrCat("Records[", index, "].");
  auto bad = [&](absl::string_view field, absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(where, field, ": ", why));
  };
  if (!record.is_object()) return bad("", "not an object");
  S3Event event;
  event.name = StringField(record, "eventName");
  if (absl::StartsWith(event.name, "s3:")) event.name.erase(0, 3);
  if (event.name.empty()) return bad("eventName", "missing");
  if (!KnownEventName(event.name)) {
    return bad("eventName", absl::StrCat("'", event.name, "' is not an S3 event name"));
  }
  const std::string source = StringField(record, "eventSource");
  if (!source.empty() && !absl::EndsWith(source, ":s3")) {
    return bad("eventSource", absl::StrCat("'", source, "' is not an S3 event source"));
  }
  auto s3 = record.find("s3");
  if (s3 == record.end() || !s3->is_object()) return bad("s3", "missing");
  auto bucket = s3->find("bucket");
  auto object = s3->find("object");
  if (bucket == s3->end() || !bucket->is_object()) return bad("s3.bucket", "missing");
  if (object == s3->end() || !object->is_object()) return bad("s3.object", "missing");
  event.bucket = StringField(*bucket, "name");
  if (event.bucket.empty()) return bad("s3.bucket.name", "missing");
  if (absl::Status valid = s3::ValidateBucketName(event.bucket, where + "s3.bucket.name");
      !valid.ok()) {
    return valid;
  }
  const std::string key = StringField(*object, "key");
  if (key.empty()) return bad("s3.object.key", "missing");
  // Ceph sends keys as they are; AWS and MinIO URL-encode them.
  event.key = source == "ceph:s3" ? key : DecodeEventKey(key);
  if (event.key.size() > kMaxS3KeyBytes) {
    return bad("s3.object.key", absl::StrCat(event.key.size(), " bytes: longer than any S3 key (",
                                             kMaxS3KeyBytes, ")"));
  }
  if (!IsValidUtf8(event.key)) {
    return bad("s3.object.key", absl::StrCat("'", key, "' decodes to bytes that are not UTF-8 (\"",
                                             Printable(event.key), "\")"));
  }
  auto size = object->find("size");
  if (size != object->end() && !size->is_null()) {
    if (!size->is_number_unsigned()) return bad("s3.object.size", "not a byte count");
    event.size = size->get<uint64_t>();
  }
  event.etag =
      std::string(absl::StripSuffix(absl::StripPrefix(StringField(*object, "eTag"), "\""), "\""));
  event.version_id = StringField(*object, "versionId");
  for (const std::string* field : {&event.etag, &event.version_id}) {
    if (field->size() > 256 || !IsValidUtf8(*field)) {
      return bad("s3.object", "an eTag or versionId that is not a short text");
    }
  }
  if (event.version_id == "null") event.version_id.clear();  // written while versioning was off
  return event;
}

}  // namespace

std::string DecodeEventKey(absl::string_view key) {
  std::string out;
  out.reserve(key.size());
  for (size_t i = 0; i < key.size(); ++i) {
    if (key[i] == '+') {
      out += ' ';
    } else if (key[i] == '%' && i + 2 < key.size() && HexValue(key[i + 1]) >= 0 &&
               HexValue(key[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(key[i + 1]) * 16 + HexValue(key[i + 2]));
      i += 2;
    } else {
      out += key[i];
    }
  }
  return out;
}

absl::StatusOr<S3Records> ParseS3Events(absl::string_view body) {
  absl::StatusOr<json> root = ParseJson(body, "body");
  if (!root.ok()) return root.status();
  return ParseS3Events(*root);
}

absl::StatusOr<S3Records> ParseS3Events(const json& root) {
  if (!root.is_object()) return absl::InvalidArgumentError("body: not a JSON object");
  auto records = root.find("Records");
  if (records == root.end() || !records->is_array()) {
    return absl::InvalidArgumentError("Records: missing (an S3 event notification has a list)");
  }
  S3Records out;
  for (size_t i = 0; i < records->size(); ++i) {
    absl::StatusOr<S3Event> event = ParseRecord((*records)[i], i);
    if (event.ok()) {
      out.events.push_back(std::move(*event));
    } else {
      out.rejected.emplace_back(event.status().message());
    }
  }
  return out;
}

bool Matches(const EventFilter& filter, const S3Event& event) {
  if (!filter.bucket.empty() && filter.bucket != event.bucket) return false;
  if (!absl::StartsWith(event.key, filter.prefix)) return false;
  if (!absl::EndsWith(event.key, filter.suffix)) return false;
  if (filter.events.empty()) return true;
  for (const std::string& pattern : filter.events) {
    absl::string_view p = pattern;
    if (absl::ConsumeSuffix(&p, "*") ? absl::StartsWith(event.name, p) : event.name == p) {
      return true;
    }
  }
  return false;
}

v1::JobSpec S3EventJob(const Rule& rule, const S3Event& event) {
  return EventJob(rule.job, rule.name, EventItem(event, rule.job.function(), rule.name),
                  EventIdempotencyKey(rule.name, event));
}

namespace {

// As S3 writes keys into event records: percent-encoded, '/' kept, a space as '+'.
std::string EncodeEventKey(absl::string_view key) {
  std::string out;
  for (unsigned char c : key) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      absl::StrAppend(&out, "%", absl::StrFormat("%02X", c));
    }
  }
  return out;
}

json LambdaRecord(const S3Event& event, const std::string& rule) {
  json object = {{"key", EncodeEventKey(event.key)}, {"size", event.size}, {"eTag", event.etag}};
  if (!event.version_id.empty()) object["versionId"] = event.version_id;
  return {
      {"eventVersion", "2.1"},
      {"eventSource", "aws:s3"},
      {"awsRegion", "us-east-1"},
      {"eventName", event.name},
      {"s3",
       {{"s3SchemaVersion", "1.0"},
        {"configurationId", rule},
        {"bucket", {{"name", event.bucket}, {"arn", absl::StrCat("arn:aws:s3:::", event.bucket)}}},
        {"object", object}}}};
}

}  // namespace

std::string EventItem(const S3Event& event, const std::string& function, const std::string& rule) {
  if (!absl::StartsWith(function, "builtin:")) {
    return DumpJson({{"Records", json::array({LambdaRecord(event, rule)})}});
  }
  json item = {
      {"bucket", event.bucket}, {"key", event.key}, {"size", event.size}, {"etag", event.etag}};
  if (!event.version_id.empty()) item["version_id"] = event.version_id;
  return DumpJson(item);
}

std::string EventIdempotencyKey(const std::string& rule, const S3Event& event) {
  std::string key = absl::StrCat("s3/", rule, "/", event.bucket, "/", event.key, "/", event.etag);
  if (!event.version_id.empty()) absl::StrAppend(&key, "/", event.version_id);
  return key;
}

}  // namespace fanout::trigger
