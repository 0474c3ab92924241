// A minimal blocking HTTP client over libcurl for the S3 client: one request, headers in, status,
// headers and body (or a stream of body chunks) out. Connections are kept alive per thread.
#ifndef FANOUT_S3_HTTP_H_
#define FANOUT_S3_HTTP_H_

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace fanout::s3 {

struct HttpRequest {
  std::string method;  // GET, PUT, POST, HEAD, DELETE
  std::string url;     // already encoded
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // The whole request; for a streamed body (on_body), how long the transfer may stall instead.
  absl::Duration timeout = absl::Minutes(5);
  // When set, the body is handed over in chunks instead of being kept; returning false aborts.
  std::function<bool(absl::string_view chunk)> on_body;
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

// Thread-safe. Fails (kUnavailable) only when no HTTP answer came back at all.
absl::StatusOr<HttpResponse> Send(const HttpRequest& request);

}  // namespace fanout::s3

#endif  // FANOUT_S3_HTTP_H_
