#include "tests/http_client.h"

#include "absl/strings/str_cat.h"

namespace fanout::testing {

absl::StatusOr<s3::HttpResponse> HttpGet(int port, const std::string& path) {
  s3::HttpRequest request;
  request.method = "GET";
  request.url = absl::StrCat("http://127.0.0.1:", port, path);
  return s3::Send(request);
}

absl::StatusOr<s3::HttpResponse> HttpPost(const std::string& url, const std::string& body) {
  s3::HttpRequest request;
  request.method = "POST";
  request.url = url;
  request.headers = {{"content-type", "application/json"}};
  request.body = body;
  return s3::Send(request);
}

}  // namespace fanout::testing
