// HTTP/1.1 as the Lambda Runtime API's clients speak it, on one loopback connection: requests with
// Content-Length or chunked bodies (with trailers: response streaming reports errors in them),
// `Expect: 100-continue` (curl sends it before big bodies and would otherwise wait a second),
// keep-alive. Civetweb is not used here because a runtime's `invocation/next` is a long poll per
// runtime and streamed responses end in trailers, which civetweb drops.
#ifndef FANOUT_WORKER_RUNTIME_HTTP_WIRE_H_
#define FANOUT_WORKER_RUNTIME_HTTP_WIRE_H_

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace fanout::worker {

using HeaderList = std::vector<std::pair<std::string, std::string>>;  // names lower-cased

struct WireRequest {
  std::string method;
  std::string path;  // without the query
  HeaderList headers;
  HeaderList trailers;  // after a chunked body
  std::string body;
  bool keep_alive = true;

  // The first header (or trailer) named `name` (lower case); null when absent.
  const std::string* Header(absl::string_view name) const;
  const std::string* Trailer(absl::string_view name) const;
};

struct WireResponse {
  int status = 200;
  HeaderList headers;
  std::string body;
  std::string content_type = "application/json";
};

// Reads requests from a byte source (a socket; a buffer in tests and fuzzing). Thread-compatible.
class WireReader {
 public:
  // Reads up to `n` bytes into `buf`; 0 at the end of the stream, < 0 on an error.
  using Source = std::function<long(char* buf, size_t n)>;
  // Called when a request asks `Expect: 100-continue` and its body is wanted.
  using Continue = std::function<void()>;

  WireReader(Source source, size_t max_body) : source_(std::move(source)), max_body_(max_body) {}

  // The next request. Errors: kOutOfRange at a clean end between requests; kInvalidArgument for a
  // malformed request (answer 400 and close); kResourceExhausted for a body over max_body (answer
  // 413 and close); kUnavailable when the connection failed.
  absl::StatusOr<WireRequest> Read(const Continue& on_continue);

 private:
  absl::Status Fill();  // reads more into buffer_
  absl::StatusOr<std::string> Line(size_t max);
  absl::Status ReadHead(WireRequest& request);
  absl::Status ReadFixedBody(WireRequest& request, size_t length);
  absl::Status ReadChunkedBody(WireRequest& request);
  absl::Status ReadFields(HeaderList& into, size_t& budget);

  Source source_;
  const size_t max_body_;
  std::string buffer_;
  size_t pos_ = 0;
};

// The bytes of `response` as HTTP/1.1 (Content-Length framed).
std::string SerializeResponse(const WireResponse& response, bool keep_alive);

}  // namespace fanout::worker

#endif  // FANOUT_WORKER_RUNTIME_HTTP_WIRE_H_
