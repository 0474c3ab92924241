// s3://bucket/prefix manifests: each stream is cut into parts of whole lines, each part one PUT;
// manifest.json goes last, so a reader that finds it finds every part it names.
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "common/status_macros.h"
#include "coordinator/fan_in/manifest_sink.h"
#include "s3/s3_client.h"

namespace fanout::coordinator {
namespace {

class S3Sink : public ManifestSink {
 public:
  S3Sink(s3::S3Client client, std::string bucket, std::string folder, size_t part_bytes)
      : client_(std::move(client)),
        bucket_(std::move(bucket)),
        folder_(std::move(folder)),
        part_bytes_(part_bytes) {}

  absl::Status Write(Stream stream, absl::string_view line) override {
    Part& part = parts_[stream];
    absl::StrAppend(&part.buffer, line, "\n");
    return part.buffer.size() >= part_bytes_ ? Put(stream) : absl::OkStatus();
  }

  absl::StatusOr<Files> Close() override {
    for (Stream s : {kResults, kFailed}) {
      if (!parts_[s].buffer.empty() || parts_[s].written.empty()) RETURN_IF_ERROR(Put(s));
    }
    return Files{parts_[kResults].written, parts_[kFailed].written};
  }

  absl::StatusOr<std::string> WriteManifest(absl::string_view json) override {
    const std::string key = folder_ + "manifest.json";
    RETURN_IF_ERROR(client_.Put(bucket_, key, absl::StrCat(json, "\n")).status());
    return absl::StrCat("s3://", bucket_, "/", key);
  }

 private:
  struct Part {
    std::string buffer;
    std::vector<std::string> written;
  };

  absl::Status Put(Stream stream) {
    Part& part = parts_[stream];
    const std::string key = absl::StrFormat(
        "%s%s-%05d.jsonl", folder_, stream == kResults ? "results" : "failed", part.written.size());
    absl::Status put = client_.Put(bucket_, key, std::move(part.buffer)).status();
    part.buffer.clear();
    if (!put.ok()) {
      return absl::Status(put.code(), absl::StrCat("results: writing s3://", bucket_, "/", key,
                                                   ": ", put.message()));
    }
    part.written.push_back(absl::StrCat("s3://", bucket_, "/", key));
    return absl::OkStatus();
  }

  const s3::S3Client client_;
  const std::string bucket_, folder_;  // folder_: "PREFIX/JOB_ID/"
  const size_t part_bytes_;
  Part parts_[2];
};

}  // namespace

absl::StatusOr<std::unique_ptr<ManifestSink>> OpenS3Sink(absl::string_view url,
                                                         absl::string_view job_id,
                                                         size_t part_bytes) {
  ASSIGN_OR_RETURN(auto location, s3::ParseS3Url(url, "results"));
  absl::StatusOr<s3::S3Config> config = s3::S3ConfigFromEnvironment();
  if (!config.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("results: no S3 settings: ", config.status().message()));
  }
  std::string prefix(absl::StripSuffix(location.second, "/"));
  std::string folder = absl::StrCat(prefix, prefix.empty() ? "" : "/", job_id, "/");
  return std::make_unique<S3Sink>(s3::S3Client(*std::move(config)), std::move(location.first),
                                  std::move(folder), part_bytes);
}

}  // namespace fanout::coordinator
