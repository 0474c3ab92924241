#include "common/http_server.h"

#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "civetweb.h"

namespace fanout {
namespace {

const char* Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Error";
  }
}

std::string Decode(absl::string_view s) {
  std::vector<char> out(s.size() + 1);
  const int n = mg_url_decode(s.data(), static_cast<int>(s.size()), out.data(),
                              static_cast<int>(out.size()), /*is_form_url_encoded=*/1);
  return n < 0 ? std::string(s) : std::string(out.data(), n);
}

}  // namespace

std::string QueryParam(const std::string& query, const std::string& name,
                       const std::string& fallback) {
  for (absl::string_view pair : absl::StrSplit(query, '&')) {
    const size_t eq = pair.find('=');
    if (Decode(pair.substr(0, eq)) != name) continue;
    return eq == absl::string_view::npos ? "" : Decode(pair.substr(eq + 1));
  }
  return fallback;
}

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(const std::string& listen,
                                                              const std::string& flag,
                                                              Handler handler, int threads) {
  std::unique_ptr<HttpServer> server(new HttpServer(std::move(handler)));
  const std::string thread_count = std::to_string(threads);
  const char* options[] = {"listening_ports",   listen.c_str(), "num_threads", thread_count.c_str(),
                           "enable_keep_alive", "yes",          nullptr};
  mg_callbacks callbacks;
  std::memset(&callbacks, 0, sizeof(callbacks));
  server->context_ = mg_start(&callbacks, nullptr, options);
  if (server->context_ == nullptr) {
    return absl::UnavailableError(
        absl::StrCat("--", flag, ": cannot listen on ", listen, " (address in use?)"));
  }
  mg_set_request_handler(server->context_, "/", &HttpServer::OnRequest, server.get());
  mg_server_port ports[4];
  if (mg_get_server_ports(server->context_, 4, ports) < 1) {
    return absl::InternalError(absl::StrCat("--", flag, ": no port bound"));
  }
  server->port_ = ports[0].port;
  return server;
}

HttpServer::~HttpServer() {
  if (context_ != nullptr) mg_stop(context_);
}

int HttpServer::OnRequest(mg_connection* connection, void* self) {
  const mg_request_info* info = mg_get_request_info(connection);
  HttpRequest request;
  request.method = info->request_method;
  request.path = info->local_uri != nullptr ? info->local_uri : "/";
  request.query = info->query_string != nullptr ? info->query_string : "";
  HttpResponse response;
  if (request.method != "GET" && request.method != "HEAD") {
    response = {405, "application/json", R"({"error": "read-only: GET only"})"};
  } else {
    // An exception must not unwind into civetweb (C): it would end the whole process.
    try {
      response = static_cast<HttpServer*>(self)->handler_(request);
    } catch (const std::exception& e) {
      response = {500, "text/plain; charset=utf-8", std::string("internal error: ") + e.what()};
    }
  }
  // One write for head and body: two small writes meet Nagle's algorithm and the client's delayed
  // ACK, which holds the answer back 40 ms.
  std::string out = absl::StrCat("HTTP/1.1 ", response.status, " ", Reason(response.status),
                                 "\r\nContent-Type: ", response.content_type,
                                 "\r\nContent-Length: ", response.body.size(),
                                 "\r\nCache-Control: no-store\r\n\r\n");
  if (request.method != "HEAD") out += response.body;
  mg_write(connection, out.data(), out.size());
  return response.status;
}

}  // namespace fanout
