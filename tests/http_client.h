// Plain HTTP calls for tests and benchmarks (over s3/http's libcurl client): GET a path of a local
// server, POST a JSON body.
#ifndef FANOUT_TESTS_HTTP_CLIENT_H_
#define FANOUT_TESTS_HTTP_CLIENT_H_

#include <string>

#include "absl/status/statusor.h"
#include "s3/http.h"

namespace fanout::testing {

// GET http://127.0.0.1:PORT`path`.
absl::StatusOr<s3::HttpResponse> HttpGet(int port, const std::string& path);
// POST `body` (application/json) to `url`.
absl::StatusOr<s3::HttpResponse> HttpPost(const std::string& url, const std::string& body);

}  // namespace fanout::testing

#endif  // FANOUT_TESTS_HTTP_CLIENT_H_
