// Sources on the coordinator's filesystem: JSONL and CSV manifests, and directory trees.
#ifndef FANOUT_COORDINATOR_SOURCES_FILE_SOURCES_H_
#define FANOUT_COORDINATOR_SOURCES_FILE_SOURCES_H_

#include "coordinator/sources/sequential_source.h"

namespace fanout::coordinator {

// One item per JSONL line / CSV record (the header row names the fields of each record's object).
absl::StatusOr<std::unique_ptr<SequentialSource>> MakeManifestFileSource(
    bool csv, absl::string_view spec, absl::string_view path,
    size_t max_item_bytes = kDefaultMaxItemBytes);
// One item {"path", "size"} per regular file below `path` (symlinks are not followed).
absl::StatusOr<std::unique_ptr<SequentialSource>> MakeDirSource(absl::string_view spec,
                                                                absl::string_view path,
                                                                uint64_t split_bytes);

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_SOURCES_FILE_SOURCES_H_
