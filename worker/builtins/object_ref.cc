#include "worker/builtins/object_ref.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/json_text.h"

namespace fanout::worker {
namespace {

using nlohmann::json;

absl::Status OpenError(const std::string& path, int err) {
  const std::string why = absl::StrCat(path, ": ", std::strerror(err));
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return absl::NotFoundError(why);
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(why);
    case EISDIR:
      return absl::InvalidArgumentError(why);
    default:
      return absl::UnavailableError(why);
  }
}

FileRoots& Roots() {
  static FileRoots* roots = new FileRoots();
  return *roots;
}

absl::StatusOr<uint64_t> ReadFile(const ObjectRef& ref, Context& context,
                                  const std::function<void(absl::string_view)>& on_chunk) {
  absl::StatusOr<std::string> path = LocalFileRoots().Check(ref.path, "item");
  if (!path.ok()) return path.status();
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path->c_str(), "rb"), &std::fclose);
  if (file == nullptr) return OpenError(ref.path, errno);
  uint64_t left = UINT64_MAX, bytes = 0;
  if (ref.range) {
    if (std::fseek(file.get(), static_cast<long>(ref.range->first), SEEK_SET) != 0) {
      return OpenError(ref.path, errno);
    }
    left = ref.range->second - ref.range->first + 1;
  }
  std::string buffer(1 << 16, '\0');
  while (left > 0) {
    const size_t n =
        std::fread(buffer.data(), 1, std::min<uint64_t>(buffer.size(), left), file.get());
    if (n == 0) break;
    on_chunk(absl::string_view(buffer.data(), n));
    bytes += n;
    left -= std::min<uint64_t>(left, n);
    if (context.cancelled()) return absl::CancelledError(absl::StrCat(ref.Name(), ": stopped"));
  }
  if (std::ferror(file.get())) return OpenError(ref.path, errno);
  return bytes;
}

}  // namespace

void SetLocalFileRoots(FileRoots roots) { Roots() = std::move(roots); }
const FileRoots& LocalFileRoots() { return Roots(); }

std::string ObjectRef::Name() const { return s3 ? absl::StrCat("s3://", bucket, "/", key) : path; }

absl::StatusOr<ObjectRef> ParseObjectRef(absl::string_view item_json) {
  json item = ParseJson(item_json, "item").value_or(json());
  ObjectRef ref;
  if (item.is_string()) {
    const std::string text = item.get<std::string>();
    if (absl::StartsWith(text, "s3://")) {
      absl::StatusOr<std::pair<std::string, std::string>> where = s3::ParseS3Url(text, "item");
      if (!where.ok()) return where.status();
      ref.s3 = true;
      std::tie(ref.bucket, ref.key) = *where;
    } else {
      ref.path = text;
    }
  } else if (item.is_object() && item.contains("bucket") && item.contains("key") &&
             item["bucket"].is_string() && item["key"].is_string()) {
    ref.s3 = true;
    ref.bucket = item["bucket"];
    ref.key = item["key"];
    // Into the host of a virtual-hosted request: only a bucket name, never another host.
    if (absl::Status valid = s3::ValidateBucketName(ref.bucket, "item.bucket"); !valid.ok()) {
      return valid;
    }
  } else if (item.is_object() && item.contains("path") && item["path"].is_string()) {
    ref.path = item["path"];
  }
  if (ref.path.empty() && ref.key.empty()) {
    return absl::InvalidArgumentError(
        "item: expected a file path, s3://bucket/key, {\"path\": ...} or {\"bucket\", \"key\"}");
  }
  if (item.is_object() && item.contains("range")) {
    const json& r = item["range"];
    if (!r.is_object() || !r.contains("first") || !r.contains("last") ||
        !r["first"].is_number_unsigned() || !r["last"].is_number_unsigned() ||
        r["first"].get<uint64_t>() > r["last"].get<uint64_t>()) {
      return absl::InvalidArgumentError("item.range: expected {\"first\": A, \"last\": B}, A <= B");
    }
    ref.range = std::make_pair(r["first"].get<uint64_t>(), r["last"].get<uint64_t>());
  }
  return ref;
}

absl::StatusOr<const s3::S3Client*> WorkerS3() {
  static absl::StatusOr<s3::S3Config>* config = nullptr;
  static const s3::S3Client* client = nullptr;
  static std::once_flag once;
  std::call_once(once, [] {
    config = new absl::StatusOr<s3::S3Config>(s3::S3ConfigFromEnvironment());
    if (config->ok()) client = new s3::S3Client(**config);
  });
  if (client == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("this worker has no S3 settings: ", config->status().message()));
  }
  return client;
}

absl::StatusOr<uint64_t> ReadObject(const ObjectRef& ref, Context& context,
                                    const std::function<void(absl::string_view)>& on_chunk) {
  if (!ref.s3) return ReadFile(ref, context, on_chunk);
  absl::StatusOr<const s3::S3Client*> client = WorkerS3();
  if (!client.ok()) return client.status();
  const std::string range =
      ref.range ? absl::StrCat("bytes=", ref.range->first, "-", ref.range->second) : "";
  uint64_t bytes = 0;
  absl::Status read = (*client)->GetStream(ref.bucket, ref.key, range, [&](absl::string_view c) {
    on_chunk(c);
    bytes += c.size();
    return !context.cancelled();
  });
  if (!read.ok()) return read;
  return bytes;
}

}  // namespace fanout::worker
