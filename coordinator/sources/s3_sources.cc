#include "coordinator/sources/s3_sources.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/json_text.h"
#include "common/utf8.h"
#include "coordinator/sources/record_reader.h"
#include "coordinator/sources/split_bytes.h"
#include "nlohmann/json.hpp"
#include "s3/s3_client.h"

namespace fanout::coordinator {
namespace {

using nlohmann::json;

// The source's fault (the job fails with it) or worth retrying.
absl::Status Classify(absl::string_view spec, const absl::Status& s) {
  const std::string why = absl::StrCat("source: ", spec, ": ", s.message());
  switch (s.code()) {
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
      return absl::InvalidArgumentError(why);
    default:
      return absl::UnavailableError(why);
  }
}

class S3ListSource : public SequentialSource {
 public:
  S3ListSource(std::string spec, s3::S3Client client, std::string bucket, std::string prefix,
               uint64_t split_bytes)
      : spec_(std::move(spec)),
        client_(std::move(client)),
        bucket_(std::move(bucket)),
        prefix_(std::move(prefix)),
        split_(split_bytes) {}

  // Cursor: {"token": page to read, "skip": objects of that page already handed out, "part": next
  // part of the first object not finished}.
  absl::StatusOr<SourceBatch> Next(absl::string_view cursor, size_t max) override {
    const json c = ParseJson(cursor, "cursor").value_or(json());
    std::string token = StringField(c, "token");
    size_t skip = UintField(c, "skip");
    uint64_t part = UintField(c, "part");
    SourceBatch out;
    while (out.items.size() < max) {
      absl::StatusOr<s3::ListPage> page = client_.List(bucket_, prefix_, token);
      if (!page.ok()) return Classify(spec_, page.status());
      for (; skip < page->objects.size() && out.items.size() < max; ++skip, part = 0) {
        const s3::ObjectInfo& o = page->objects[skip];
        if (!IsValidUtf8(o.key)) {  // an XML character reference to a surrogate, say
          out.items.push_back(
              {DumpJson(json{{"bucket", bucket_}, {"key", ReplaceInvalidUtf8(o.key)}}),
               absl::StrCat(spec_, ": key \"", Printable(o.key, 1024), "\" is not valid UTF-8")});
          continue;
        }
        json base = {{"bucket", bucket_},
                     {"key", o.key},
                     {"size", o.size},
                     {"etag", o.etag},
                     {"last_modified", o.last_modified}};
        for (; part < PartCount(o.size, split_) && out.items.size() < max; ++part) {
          out.items.push_back({DumpJson(ItemPart(base, o.size, split_, part)), std::nullopt});
        }
        if (part < PartCount(o.size, split_)) break;  // full in the middle of an object's parts
      }
      if (skip < page->objects.size()) break;  // full within this page
      if (page->next_token.empty()) {
        out.done = true;
        break;
      }
      token = page->next_token;
      skip = 0;
      part = 0;
    }
    out.cursor = DumpJson(json{{"token", token}, {"skip", skip}, {"part", part}});
    return out;
  }

 private:
  const std::string spec_;
  const s3::S3Client client_;
  const std::string bucket_, prefix_;
  const uint64_t split_;
};

class S3ManifestSource : public SequentialSource {
 public:
  S3ManifestSource(std::string spec, s3::S3Client client, std::string bucket, std::string key,
                   uint64_t size, size_t max_item_bytes)
      : spec_(std::move(spec)),
        client_(std::move(client)),
        bucket_(std::move(bucket)),
        key_(std::move(key)),
        size_(size),
        max_item_bytes_(max_item_bytes) {}

  absl::StatusOr<SourceBatch> Next(absl::string_view cursor, size_t max) override {
    ReadBlock read = [this](uint64_t offset, size_t n) -> absl::StatusOr<std::string> {
      if (offset >= size_) return std::string();
      const uint64_t last = std::min<uint64_t>(size_, offset + n) - 1;
      absl::StatusOr<std::string> block =
          client_.Get(bucket_, key_, absl::StrCat("bytes=", offset, "-", last));
      if (!block.ok()) return Classify(spec_, block.status());
      return block;
    };
    return ReadManifest(absl::EndsWith(key_, ".csv"), spec_, read, cursor, max, max_item_bytes_);
  }

 private:
  const std::string spec_;
  const s3::S3Client client_;
  const std::string bucket_, key_;
  const uint64_t size_;
  const size_t max_item_bytes_;
};

absl::StatusOr<s3::S3Client> Client(absl::string_view spec) {
  absl::StatusOr<s3::S3Config> config = s3::S3ConfigFromEnvironment();
  if (!config.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "source: ", spec, ": the coordinator has no S3 settings: ", config.status().message()));
  }
  return s3::S3Client(*config);
}

}  // namespace

absl::StatusOr<std::unique_ptr<SequentialSource>> MakeS3ListSource(absl::string_view spec,
                                                                   uint64_t split_bytes) {
  absl::StatusOr<std::pair<std::string, std::string>> where = s3::ParseS3Url(spec, "source");
  if (!where.ok()) return where.status();
  absl::StatusOr<s3::S3Client> client = Client(spec);
  if (!client.ok()) return client.status();
  // One small listing now, so that a wrong bucket or credentials fail the submission, not the job.
  absl::StatusOr<s3::ListPage> probe = client->List(where->first, where->second, "", 1);
  if (!probe.ok()) return Classify(spec, probe.status());
  return std::make_unique<S3ListSource>(std::string(spec), std::move(*client), where->first,
                                        where->second, split_bytes);
}

absl::StatusOr<std::unique_ptr<SequentialSource>> MakeS3ManifestSource(absl::string_view spec,
                                                                       size_t max_item_bytes) {
  absl::string_view rest = spec;
  absl::ConsumePrefix(&rest, "s3-manifest://");
  absl::StatusOr<std::pair<std::string, std::string>> where =
      s3::ParseS3Url(absl::StrCat("s3://", rest), "source");
  if (!where.ok() || where->second.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("source: '", spec, "' is not s3-manifest://bucket/key"));
  }
  absl::StatusOr<s3::S3Client> client = Client(spec);
  if (!client.ok()) return client.status();
  absl::StatusOr<s3::ObjectInfo> head = client->Head(where->first, where->second);
  if (!head.ok()) return Classify(spec, head.status());
  return std::make_unique<S3ManifestSource>(std::string(spec), std::move(*client), where->first,
                                            where->second, head->size, max_item_bytes);
}

}  // namespace fanout::coordinator
