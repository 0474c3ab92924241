// An S3 client over libcurl with in-house SigV4 signing: objects (head, get — whole, ranged or
// streamed —, put, copy, delete), buckets (create) and ListObjectsV2 pages. Works with AWS and any
// S3-compatible endpoint (Ceph RGW, MinIO), path-style or virtual-host addressing. Retries with
// backoff on 5xx (503 SlowDown included) and on connection errors.
#ifndef FANOUT_S3_S3_CLIENT_H_
#define FANOUT_S3_S3_CLIENT_H_

#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "s3/http.h"
#include "s3/s3_xml.h"
#include "s3/sigv4.h"

namespace fanout::s3 {

struct S3Config {
  std::string endpoint;  // "https://s3.us-east-1.amazonaws.com", "http://127.0.0.1:47480"
  std::string region = "us-east-1";
  Credentials credentials;
  bool path_style = true;  // bucket in the path; false: in the host name (virtual host)
  int max_retries = 4;
  absl::Duration retry_base = absl::Milliseconds(100);
  absl::Duration timeout = absl::Minutes(5);
};

// From the standard variables: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
// AWS_REGION (or AWS_DEFAULT_REGION), AWS_ENDPOINT_URL (default: AWS for the region, virtual-host
// style), FANOUT_S3_PATH_STYLE (1/0; default 1 for a custom endpoint). Errors name the variable.
absl::StatusOr<S3Config> S3ConfigFromEnvironment();

// A bucket name S3 (or Ceph RGW, MinIO) could have: 3..255 characters of letters, digits, '.', '-'
// and '_', starting and ending with a letter or digit (AWS's legacy names included). What a host
// name or URL would read differently (':', '/', '#', '@', ...) is refused: a bucket name goes into
// the host of a virtual-hosted request. INVALID_ARGUMENT naming `field`.
absl::Status ValidateBucketName(absl::string_view bucket, absl::string_view field);

// s3://bucket/key/prefix -> {bucket, key}. Errors are INVALID_ARGUMENT naming `field`.
absl::StatusOr<std::pair<std::string, std::string>> ParseS3Url(absl::string_view url,
                                                               absl::string_view field);

// Thread-safe.
class S3Client {
 public:
  explicit S3Client(S3Config config) : config_(std::move(config)) {}

  absl::StatusOr<ObjectInfo> Head(const std::string& bucket, const std::string& key) const;
  // `range` is "bytes=FIRST-LAST" or empty for the whole object.
  absl::StatusOr<std::string> Get(const std::string& bucket, const std::string& key,
                                  const std::string& range = "") const;
  // Hands the body over in chunks; `on_chunk` returning false stops the transfer (kCancelled).
  absl::Status GetStream(const std::string& bucket, const std::string& key,
                         const std::string& range,
                         const std::function<bool(absl::string_view)>& on_chunk) const;
  absl::StatusOr<ObjectInfo> Put(const std::string& bucket, const std::string& key,
                                 std::string body) const;
  // Server-side copy (up to 5 GiB); returns the new object's ETag in `etag`. With `metadata` the
  // copy gets these x-amz-meta-* values (and the source's content type) instead of the source's.
  absl::StatusOr<ObjectInfo> Copy(const std::string& from_bucket, const std::string& from_key,
                                  const std::string& to_bucket, const std::string& to_key,
                                  const std::map<std::string, std::string>& metadata = {},
                                  const std::string& content_type = "") const;
  absl::Status Delete(const std::string& bucket, const std::string& key) const;
  // Succeeds if the bucket exists already and is ours.
  absl::Status CreateBucket(const std::string& bucket) const;
  absl::StatusOr<ListPage> List(const std::string& bucket, const std::string& prefix,
                                const std::string& continuation_token, int max_keys = 1000) const;
  // ListObjectVersions (s3_versions.cc): a page of versions from the markers of the last page.
  absl::StatusOr<VersionPage> ListVersions(const std::string& bucket, const std::string& prefix,
                                           const std::string& key_marker,
                                           const std::string& version_marker,
                                           int max_keys = 1000) const;
  absl::Status PutBucketVersioning(const std::string& bucket, bool enabled) const;

  // Bucket notifications (s3_notifications.cc), as Ceph RGW and AWS define them: a topic with a
  // push endpoint (RGW's SNS-style API; returns the topic's ARN), and a bucket's notification
  // configuration (the XML of PutBucketNotificationConfiguration).
  absl::StatusOr<std::string> CreateTopic(
      const std::string& name,
      const std::vector<std::pair<std::string, std::string>>& attributes) const;
  absl::Status PutBucketNotification(const std::string& bucket, const std::string& xml) const;

  const S3Config& config() const { return config_; }

 private:
  struct Call {
    std::string method;
    std::string bucket;
    std::string key;  // raw; empty for bucket-level calls
    std::vector<std::pair<std::string, std::string>> query;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::function<bool(absl::string_view)> on_body;
  };
  // Signs and sends `call`, retrying what is worth retrying; non-2xx answers become errors.
  absl::StatusOr<HttpResponse> Run(const Call& call) const;
  HttpRequest Build(const Call& call, absl::Time now) const;

  const S3Config config_;
};

}  // namespace fanout::s3

#endif  // FANOUT_S3_S3_CLIENT_H_
