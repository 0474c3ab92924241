#include "common/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
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
    case 413:
      return "Payload Too Large";
    case 422:
      return "Unprocessable Entity";
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

const std::string& HttpRequest::Header(const std::string& name) const {
  static const std::string* const kNone = new std::string();
  auto it = headers.find(name);
  return it == headers.end() ? *kNone : it->second;
}

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
                                                              Handler handler, Options options) {
  std::unique_ptr<HttpServer> server(new HttpServer(std::move(handler), options));
  const std::string thread_count = std::to_string(options.threads);
  const bool tls = !options.tls_cert.empty();
  // With TLS, the plain server only on loopback, behind the TlsFront.
  const std::string plain = tls ? "127.0.0.1:0" : listen;
  const char* settings[] = {"listening_ports",   plain.c_str(), "num_threads", thread_count.c_str(),
                            "enable_keep_alive", "yes",         nullptr};
  mg_callbacks callbacks;
  std::memset(&callbacks, 0, sizeof(callbacks));
  server->context_ = mg_start(&callbacks, nullptr, settings);
  if (server->context_ == nullptr) {
    // Not worth retrying: another process holds the port (or the address is not this host's).
    return absl::FailedPreconditionError(absl::StrCat(
        "--", flag, ": cannot listen on ", listen,
        ": the port is in use (by another process?) or the address is not this host's"));
  }
  mg_set_request_handler(server->context_, "/", &HttpServer::OnRequest, server.get());
  mg_server_port ports[4];
  if (mg_get_server_ports(server->context_, 4, ports) < 1) {
    return absl::InternalError(absl::StrCat("--", flag, ": no port bound"));
  }
  server->port_ = ports[0].port;
  // Where a connection reaches the plain listener: itself, or loopback for a wildcard address.
  const std::string host = plain.substr(0, plain.rfind(':'));
  server->knock_host_ = host.empty() || host == "0.0.0.0" ? "127.0.0.1" : host;
  if (tls) {
    absl::StatusOr<std::unique_ptr<TlsFront>> front =
        TlsFront::Start(listen, flag, server->port_, options.tls_cert, options.tls_key);
    if (!front.ok()) return front.status();
    server->tls_ = std::move(*front);
  }
  return server;
}

namespace {

// Connects to (and at once leaves) `host`:`port`, to wake a poll() on that listening socket.
void Knock(const std::string& host, int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) == 1) {
    (void)connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr));
  }
  close(fd);
}

}  // namespace

HttpServer::~HttpServer() {
  tls_.reset();  // no new requests through it first
  if (context_ == nullptr) return;
  // civetweb's listening thread notices the stop only when its poll() times out, every 2 s: every
  // process with a dashboard or /metrics took 1-2 s to stop. A connection wakes the poll at once.
  std::atomic<bool> stopped{false};
  std::thread stopper([this, &stopped] {
    mg_stop(context_);
    stopped = true;
  });
  for (int i = 0; !stopped && i < 300; ++i) {
    Knock(knock_host_, port_);
    absl::SleepFor(absl::Milliseconds(10));
  }
  stopper.join();
}

HttpResponse HttpServer::Answer(mg_connection* connection, const HttpRequest& head) {
  if (options_.guard) {
    std::optional<HttpResponse> refused = options_.guard(head);
    if (refused) return *std::move(refused);
  }
  const bool takes_body = options_.max_body_bytes > 0 && head.method == "POST";
  if (head.method != "GET" && head.method != "HEAD" && !takes_body) {
    return {405, "application/json", R"({"error": "read-only: GET only"})"};
  }
  HttpRequest request = head;
  // Read at most one byte past the limit: a chunked body has no length to check up front.
  if (takes_body && request.content_length <= static_cast<long long>(options_.max_body_bytes)) {
    char buffer[16384];
    int got;
    while (request.body.size() <= options_.max_body_bytes &&
           (got = mg_read(connection, buffer, sizeof(buffer))) > 0) {
      request.body.append(buffer, got);
    }
  }
  // An exception must not unwind into civetweb (C): it would end the whole process.
  try {
    return handler_(request);
  } catch (const std::exception& e) {
    return {500, "text/plain; charset=utf-8", std::string("internal error: ") + e.what()};
  }
}

int HttpServer::OnRequest(mg_connection* connection, void* self) {
  const mg_request_info* info = mg_get_request_info(connection);
  HttpRequest request;
  request.method = info->request_method;
  request.path = info->local_uri != nullptr ? info->local_uri : "/";
  request.query = info->query_string != nullptr ? info->query_string : "";
  request.content_length = info->content_length;
  for (int i = 0; i < info->num_headers; ++i) {
    if (info->http_headers[i].name == nullptr || info->http_headers[i].value == nullptr) continue;
    request.headers.emplace(absl::AsciiStrToLower(info->http_headers[i].name),
                            info->http_headers[i].value);
  }
  request.remote_address = info->remote_addr;
  const HttpResponse response = static_cast<HttpServer*>(self)->Answer(connection, request);
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
