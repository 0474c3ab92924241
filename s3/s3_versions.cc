// Object versions: ListObjectVersions, and turning a bucket's versioning on (for tests and the
// examples). A reconciliation of a versioned bucket needs each object's current version id, which
// ListObjectsV2 does not give, to key its events as the bucket's notifications do.
#include "absl/strings/str_cat.h"
#include "s3/s3_client.h"

namespace fanout::s3 {

absl::StatusOr<VersionPage> S3Client::ListVersions(const std::string& bucket,
                                                   const std::string& prefix,
                                                   const std::string& key_marker,
                                                   const std::string& version_marker,
                                                   int max_keys) const {
  Call call{"GET", bucket, ""};
  call.query = {{"versions", ""}, {"max-keys", absl::StrCat(max_keys)}};
  if (!prefix.empty()) call.query.emplace_back("prefix", prefix);
  if (!key_marker.empty()) call.query.emplace_back("key-marker", key_marker);
  if (!version_marker.empty()) call.query.emplace_back("version-id-marker", version_marker);
  absl::StatusOr<HttpResponse> r = Run(call);
  if (!r.ok()) return r.status();
  return ParseListObjectVersions(r->body);
}

absl::Status S3Client::PutBucketVersioning(const std::string& bucket, bool enabled) const {
  Call call{"PUT", bucket, ""};
  call.query = {{"versioning", ""}};
  call.body = absl::StrCat(
      R"(<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>)",
      enabled ? "Enabled" : "Suspended", "</Status></VersioningConfiguration>");
  call.headers.emplace_back("content-type", "application/xml");
  return Run(call).status();
}

}  // namespace fanout::s3
