// Sources read front to back — JSONL and CSV manifests, directory trees, S3 listings and manifests
// — as opposed to the random-access ones in splitter.h. A source reads from an opaque cursor and
// hands back items with the cursor just past them; the coordinator stores each chunk of tasks
// together with that cursor in one write, so a restart resumes the listing exactly where it
// stopped.
#ifndef FANOUT_COORDINATOR_SOURCES_SEQUENTIAL_SOURCE_H_
#define FANOUT_COORDINATOR_SOURCES_SEQUENTIAL_SOURCE_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/file_roots.h"
#include "common/limits.h"
#include "proto/fanout.pb.h"

namespace fanout::coordinator {

// One item of a source: its JSON, or why the source's entry could not become one (a bad manifest
// line): that item's task then fails as invalid input and the rest of the job goes on.
struct SourceItem {
  std::string json;
  std::optional<std::string> error;
};

struct SourceBatch {
  std::vector<SourceItem> items;
  std::string cursor;  // just past the last item
  bool done = false;   // nothing after the cursor
};

// Thread-compatible. Owned by the SplitRunner while it reads a job's source.
class SequentialSource {
 public:
  virtual ~SequentialSource() = default;
  // Up to `max` items from `cursor` (empty: the beginning); fewer only when the source ends.
  // Errors: kInvalidArgument/kNotFound/kPermissionDenied are the source's fault (the job fails);
  // kUnavailable is worth retrying.
  virtual absl::StatusOr<SourceBatch> Next(absl::string_view cursor, size_t max) = 0;
};

// Sequential sources by spec: "jsonl:PATH", "csv:PATH", "dir:PATH", "s3://bucket/prefix",
// "s3-manifest://bucket/key". Returns nullptr (OK) for the random-access kinds, which splitter.h
// handles. `split_bytes` > 0 turns each object or file of dir: and s3:// into one item per byte
// range. Checks what can be checked at once (the file exists, the bucket answers), naming the
// `source` field in errors.
// Manifest lines over `max_item_bytes` fail as their own items.
// Files are reachable only below `roots` (PERMISSION_DENIED otherwise).
absl::StatusOr<std::unique_ptr<SequentialSource>> MakeSequentialSource(absl::string_view spec,
                                                                       uint64_t split_bytes,
                                                                       size_t max_item_bytes,
                                                                       const FileRoots& roots);

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_SOURCES_SEQUENTIAL_SOURCE_H_
