// Where an ended job's manifests go (--results): files on the coordinator's machine (jsonl:PATH)
// or objects in a bucket (s3://bucket/prefix). A sink takes the two JSONL streams line by line and
// then a manifest.json that names the files they went to; nothing is visible under its final name
// before it is complete.
#ifndef FANOUT_COORDINATOR_FAN_IN_MANIFEST_SINK_H_
#define FANOUT_COORDINATOR_FAN_IN_MANIFEST_SINK_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/file_roots.h"

namespace fanout::coordinator {

// Checks a --results spec: "", "store", "jsonl:/absolute/path" or "s3://bucket[/prefix]". Errors
// are INVALID_ARGUMENT naming the `results` field.
absl::Status ValidateResultsSpec(absl::string_view spec);

class ManifestSink {
 public:
  enum Stream { kResults = 0, kFailed = 1 };
  struct Files {
    std::vector<std::string> results;  // "PATH" or "s3://bucket/key", in order
    std::vector<std::string> failed;
  };

  virtual ~ManifestSink() = default;
  // `line` is one JSON object, without its newline.
  virtual absl::Status Write(Stream stream, absl::string_view line) = 0;
  // Completes both streams (an empty stream still gets its file) and says where they went.
  virtual absl::StatusOr<Files> Close() = 0;
  // Writes manifest.json last, once the files it names are complete; returns where.
  virtual absl::StatusOr<std::string> WriteManifest(absl::string_view json) = 0;
};

// jsonl:PATH: results go to PATH, failed items to STEM.failed.jsonl and the manifest to
// STEM.manifest.json (STEM: PATH without ".jsonl"); directories are created as needed.
absl::StatusOr<std::unique_ptr<ManifestSink>> OpenFileSink(absl::string_view path);

// s3://bucket/prefix: objects PREFIX/JOB_ID/results-00000.jsonl, ..., failed-00000.jsonl, ... and
// PREFIX/JOB_ID/manifest.json; a stream starts a new part every `part_bytes` (whole lines), so that
// a file stays well below the 5 GiB a single PUT may carry. S3 settings come from the environment.
absl::StatusOr<std::unique_ptr<ManifestSink>> OpenS3Sink(absl::string_view url,
                                                         absl::string_view job_id,
                                                         size_t part_bytes = 64 << 20);

// A jsonl:PATH results spec's path checked against `roots` (others: OK).
absl::StatusOr<std::string> ResultsPathWithin(absl::string_view spec, const FileRoots& roots);

// The sink for a job's --results spec (not "store"); a file only below `roots`.
absl::StatusOr<std::unique_ptr<ManifestSink>> OpenManifestSink(absl::string_view spec,
                                                               absl::string_view job_id,
                                                               const FileRoots& roots);

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_FAN_IN_MANIFEST_SINK_H_
