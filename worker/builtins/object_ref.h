// What the data built-ins (sha256, lines, s3-copy) work on: a local file or an S3 object, whole or
// a byte range of it, named by the item: "PATH", "s3://bucket/key", {"path": ...} or
// {"bucket": ..., "key": ...}, with an optional "range": {"first", "last"} (as --split_bytes
// makes).
#ifndef FANOUT_WORKER_BUILTINS_OBJECT_REF_H_
#define FANOUT_WORKER_BUILTINS_OBJECT_REF_H_

#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "common/file_roots.h"
#include "nlohmann/json.hpp"
#include "s3/s3_client.h"
#include "worker/handler.h"

namespace fanout::worker {

struct ObjectRef {
  bool s3 = false;
  std::string path;                                    // a local file
  std::string bucket, key;                             // an S3 object
  std::optional<std::pair<uint64_t, uint64_t>> range;  // inclusive
  std::string Name() const;                            // "PATH" or "s3://bucket/key"
};

// Errors are INVALID_ARGUMENT naming the item's fields.
absl::StatusOr<ObjectRef> ParseObjectRef(absl::string_view item_json);

// The worker's S3 client, made once from the environment (AWS_* variables); an error says what is
// missing.
absl::StatusOr<const s3::S3Client*> WorkerS3();

// The local files the data built-ins may read and `trace_dir` may name: none until set (the
// worker's --file_roots). Set once at start, before any invocation.
void SetLocalFileRoots(FileRoots roots);
const FileRoots& LocalFileRoots();

// Hands the object's bytes (its range only, if it has one) to `on_chunk`, stopping early when the
// invocation is cancelled. Returns the bytes read.
absl::StatusOr<uint64_t> ReadObject(const ObjectRef& ref, Context& context,
                                    const std::function<void(absl::string_view)>& on_chunk);

}  // namespace fanout::worker

#endif  // FANOUT_WORKER_BUILTINS_OBJECT_REF_H_
