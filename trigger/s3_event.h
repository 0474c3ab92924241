// S3 event notifications ({"Records": [...]}) in the dialects that post them: AWS (`aws:s3`, keys
// URL-encoded with '+' for a space), MinIO (`minio:s3`, URL-encoded) and Ceph RGW (`ceph:s3`, raw
// UTF-8 keys). An event becomes the item of a job and an idempotency key that a replayed body, a
// redelivery or the reconciliation listing of the same object all share.
#ifndef FANOUT_TRIGGER_S3_EVENT_H_
#define FANOUT_TRIGGER_S3_EVENT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"
#include "proto/fanout.pb.h"
#include "trigger/config.h"

namespace fanout::trigger {

struct S3Event {
  std::string name;  // "ObjectCreated:Put" (any "s3:" prefix dropped)
  std::string bucket;
  std::string key;  // decoded
  uint64_t size = 0;
  std::string etag;  // without quotes
  std::string version_id;
};

// Event names S3 (AWS, MinIO, Ceph) sends, "s3:" dropped: ObjectCreated:*, ObjectRemoved:*, ...
bool KnownEventName(absl::string_view name);

// A notification's records: the events, and why each record that is not one was refused (naming
// the record and field: an unknown eventName, a key that decodes to bytes that are not UTF-8...).
// One bad record loses nothing else.
struct S3Records {
  std::vector<S3Event> events;
  std::vector<std::string> rejected;
};

// INVALID_ARGUMENT when the body is no notification at all: not UTF-8, not JSON, nested too deep
// (common/json_text.h), or without a "Records" list.
absl::StatusOr<S3Records> ParseS3Events(absl::string_view body);
// The same for a body already parsed.
absl::StatusOr<S3Records> ParseS3Events(const nlohmann::json& root);

// Percent-decoding with '+' as a space, as AWS encodes keys in events.
std::string DecodeEventKey(absl::string_view key);

bool Matches(const EventFilter& filter, const S3Event& event);

// The item a rule's job gets for `event`. For a built-in function: {"bucket", "key", "size",
// "etag"[, "version_id"]}. For a user's function: {"Records": [record]}, the S3 event a Lambda
// handler expects (key URL-encoded as S3 sends it). Only what identifies the object (and the
// event's name) goes in, so that every delivery of it submits the very same job.
std::string EventItem(const S3Event& event,
                      const std::string& function = "builtin:", const std::string& rule = "");

// "s3/RULE/BUCKET/KEY/ETAG[/VERSION]": one job per object version per rule. The sequencer is left
// out on purpose: the reconciliation listing cannot know it.
std::string EventIdempotencyKey(const std::string& rule, const S3Event& event);

// The job `rule` makes of `event`: its item, under its idempotency key.
v1::JobSpec S3EventJob(const Rule& rule, const S3Event& event);

}  // namespace fanout::trigger

#endif  // FANOUT_TRIGGER_S3_EVENT_H_
