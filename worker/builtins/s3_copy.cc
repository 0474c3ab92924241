// builtin:s3-copy — backups. Copies each object to --param dest=s3://bucket/prefix (its key
// appended, less --param strip_prefix), skips objects the destination already holds with the same
// size and ETag, and checks every copy after making it: a second run of the same backup copies
// nothing. Copies are server-side (the object's bytes never pass through the worker).
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/json_text.h"
#include "worker/builtins/builtins.h"
#include "worker/builtins/object_ref.h"

namespace fanout::worker {
namespace {

using nlohmann::json;

constexpr uint64_t kMaxSingleCopy = 5ull << 30;  // S3's CopyObject limit
// Where a copy of a multipart object (whose copy gets another ETag) keeps its source's ETag.
constexpr char kSourceETag[] = "fanout-source-etag";

bool SameContent(const s3::ObjectInfo& source, const s3::ObjectInfo& copy) {
  if (source.size != copy.size) return false;
  auto kept = copy.metadata.find(kSourceETag);
  return copy.etag == source.etag || (kept != copy.metadata.end() && kept->second == source.etag);
}

class S3CopyHandler : public Handler {
 public:
  absl::StatusOr<std::string> Invoke(const Event& event, Context& context) override {
    absl::StatusOr<ObjectRef> ref = ParseObjectRef(event.item);
    if (!ref.ok()) return ref.status();
    if (!ref->s3) return absl::InvalidArgumentError("item: s3-copy copies S3 objects, not files");
    if (ref->range) {
      return absl::InvalidArgumentError(
          "item.range: s3-copy copies whole objects; submit without --split_bytes");
    }
    absl::StatusOr<std::pair<std::string, std::string>> dest = Destination(event.params, *ref);
    if (!dest.ok()) return dest.status();
    const std::string dest_url = absl::StrCat("s3://", dest->first, "/", dest->second);
    absl::StatusOr<const s3::S3Client*> client = WorkerS3();
    if (!client.ok()) return client.status();
    const s3::S3Client& s3 = **client;
    // The listing may be old: what counts is the object as it is now.
    absl::StatusOr<s3::ObjectInfo> source = s3.Head(ref->bucket, ref->key);
    if (!source.ok()) return source.status();
    absl::StatusOr<s3::ObjectInfo> existing = s3.Head(dest->first, dest->second);
    if (existing.ok() && SameContent(*source, *existing)) {
      return DumpJson(json{{"copied", false},
                           {"dest", dest_url},
                           {"bytes", source->size},
                           {"etag", existing->etag},
                           {"reason", "the destination has the same size and ETag"}});
    }
    if (!existing.ok() && existing.status().code() != absl::StatusCode::kNotFound) {
      return existing.status();
    }
    if (source->size > kMaxSingleCopy) {
      return absl::FailedPreconditionError(absl::StrCat(
          ref->Name(), ": over 5 GiB; copying it needs a multipart copy, which s3-copy lacks"));
    }
    if (context.cancelled()) return absl::CancelledError("s3-copy: stopped");
    // A multipart source's ETag cannot be reproduced by a copy: it is kept in metadata, which
    // replaces the source's, so the source's own metadata comes along.
    std::map<std::string, std::string> metadata;
    if (absl::StrContains(source->etag, "-")) {
      metadata = source->metadata;
      metadata[kSourceETag] = source->etag;
    }
    absl::StatusOr<s3::ObjectInfo> copied =
        s3.Copy(ref->bucket, ref->key, dest->first, dest->second, metadata, source->content_type);
    if (!copied.ok()) return copied.status();
    absl::StatusOr<s3::ObjectInfo> check = s3.Head(dest->first, dest->second);
    if (!check.ok()) return check.status();
    if (!SameContent(*source, *check)) {
      return absl::UnavailableError(absl::StrCat("verify: ", dest_url, " has ", check->size,
                                                 " bytes, ETag ", check->etag, "; the source has ",
                                                 source->size, ", ", source->etag));
    }
    return DumpJson(
        json{{"copied", true}, {"dest", dest_url}, {"bytes", source->size}, {"etag", check->etag}});
  }

 private:
  static absl::StatusOr<std::pair<std::string, std::string>> Destination(const json& params,
                                                                         const ObjectRef& ref) {
    if (!params.contains("dest") || !params["dest"].is_string()) {
      return absl::InvalidArgumentError("params.dest: missing; expected s3://bucket/prefix");
    }
    absl::StatusOr<std::pair<std::string, std::string>> dest =
        s3::ParseS3Url(params["dest"].get<std::string>(), "params.dest");
    if (!dest.ok()) return dest.status();
    absl::string_view key = ref.key;
    if (params.contains("strip_prefix") && params["strip_prefix"].is_string()) {
      absl::ConsumePrefix(&key, params["strip_prefix"].get<std::string>());
    }
    dest->second += std::string(key);
    if (dest->first == ref.bucket && dest->second == ref.key) {
      return absl::InvalidArgumentError(
          absl::StrCat("params.dest: would copy ", ref.Name(), " onto itself"));
    }
    return dest;
  }
};

}  // namespace

std::unique_ptr<Handler> MakeS3CopyHandler() { return std::make_unique<S3CopyHandler>(); }

}  // namespace fanout::worker
