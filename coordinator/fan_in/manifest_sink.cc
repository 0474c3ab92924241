#include "coordinator/fan_in/manifest_sink.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/status_macros.h"
#include "s3/s3_client.h"

namespace fanout::coordinator {

absl::Status ValidateResultsSpec(absl::string_view spec) {
  if (spec.empty() || spec == "store") return absl::OkStatus();
  if (absl::ConsumePrefix(&spec, "jsonl:")) {
    if (!absl::StartsWith(spec, "/")) {
      return absl::InvalidArgumentError(absl::StrCat(
          "results: jsonl:", spec, " needs an absolute path (the coordinator writes it)"));
    }
    if (absl::EndsWith(spec, "/")) {
      return absl::InvalidArgumentError(
          absl::StrCat("results: jsonl:", spec, " names a directory"));
    }
    return absl::OkStatus();
  }
  if (absl::StartsWith(spec, "s3://")) return s3::ParseS3Url(spec, "results").status();
  return absl::InvalidArgumentError(
      absl::StrCat("results: '", spec, "' is none of store, jsonl:PATH, s3://bucket/prefix"));
}

absl::StatusOr<std::string> ResultsPathWithin(absl::string_view spec, const FileRoots& roots) {
  if (!absl::ConsumePrefix(&spec, "jsonl:")) return std::string();
  return roots.Check(spec, "results");
}

absl::StatusOr<std::unique_ptr<ManifestSink>> OpenManifestSink(absl::string_view spec,
                                                               absl::string_view job_id,
                                                               const FileRoots& roots) {
  RETURN_IF_ERROR(ValidateResultsSpec(spec));
  if (absl::StartsWith(spec, "jsonl:")) {
    ASSIGN_OR_RETURN(const std::string path, ResultsPathWithin(spec, roots));
    return OpenFileSink(path);
  }
  if (absl::StartsWith(spec, "s3://")) return OpenS3Sink(spec, job_id);
  return absl::InvalidArgumentError(
      absl::StrCat("results: '", spec, "' keeps results in the store: no manifest to write"));
}

}  // namespace fanout::coordinator
