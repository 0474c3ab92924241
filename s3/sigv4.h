// AWS Signature Version 4 for S3 requests, written in-house (Debian has no AWS or MinIO C++ SDK,
// and libs3 signs only V2). Pure functions: no I/O, no clock — the caller passes the time.
#ifndef FANOUT_S3_SIGV4_H_
#define FANOUT_S3_SIGV4_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace fanout::s3 {

struct Credentials {
  std::string access_key;
  std::string secret_key;
  std::string session_token;  // optional (temporary credentials)
};

// A request as SigV4 sees it. `headers` must already hold every header to sign (host, x-amz-date,
// x-amz-content-sha256, ...); names may be in any case.
struct SigningRequest {
  std::string method;
  std::string path;                                          // URI-encoded, e.g. "/bucket/a%20b"
  std::vector<std::pair<std::string, std::string>> query;    // raw names and values
  std::vector<std::pair<std::string, std::string>> headers;  // raw names and values
  std::string payload_hash;                                  // hex SHA-256 of the body
};

struct Signature {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;      // hex
  std::string authorization;  // the Authorization header's value
};

// RFC 3986 encoding as SigV4 wants it: unreserved characters (A-Z a-z 0-9 - _ . ~) stay, every
// other byte becomes %XX (upper case); '/' stays unless `encode_slash`.
std::string UriEncode(absl::string_view s, bool encode_slash);
// Query parameters sorted by name (then value), each encoded, joined with '&'.
std::string CanonicalQuery(const std::vector<std::pair<std::string, std::string>>& query);
std::string Sha256Hex(absl::string_view data);
// "20130524T000000Z"
std::string AmzDate(absl::Time t);

Signature SignV4(const SigningRequest& request, const Credentials& credentials,
                 absl::string_view region, absl::string_view service, absl::Time now);

}  // namespace fanout::s3

#endif  // FANOUT_S3_SIGV4_H_
