// Sources in S3: every object under a bucket prefix (ListObjectsV2, page by page), and a JSONL or
// CSV manifest object (read in ranged blocks).
#ifndef FANOUT_COORDINATOR_SOURCES_S3_SOURCES_H_
#define FANOUT_COORDINATOR_SOURCES_S3_SOURCES_H_

#include "coordinator/sources/sequential_source.h"

namespace fanout::coordinator {

// s3://bucket/prefix: one item {"bucket", "key", "size", "etag", "last_modified"} per object.
absl::StatusOr<std::unique_ptr<SequentialSource>> MakeS3ListSource(absl::string_view spec,
                                                                   uint64_t split_bytes);
// s3-manifest://bucket/key: a CSV object when the key ends in .csv, else JSONL.
absl::StatusOr<std::unique_ptr<SequentialSource>> MakeS3ManifestSource(
    absl::string_view spec, size_t max_item_bytes = kDefaultMaxItemBytes);

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_SOURCES_S3_SOURCES_H_
