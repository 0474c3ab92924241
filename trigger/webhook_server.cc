#include "trigger/webhook_server.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "civetweb.h"

namespace fanout::trigger {
namespace {

void Reply(mg_connection* connection, const HttpReply& reply) {
  const char* reason = reply.status == 200   ? "OK"
                       : reply.status == 400 ? "Bad Request"
                       : reply.status == 405 ? "Method Not Allowed"
                       : reply.status == 413 ? "Payload Too Large"
                       : reply.status == 422 ? "Unprocessable Entity"
                       : reply.status == 503 ? "Service Unavailable"
                                             : "Error";
  // One write for head and body: two small writes meet Nagle's algorithm and the client's delayed
  // ACK, and the answer waited 40 ms.
  const std::string response =
      absl::StrCat("HTTP/1.1 ", reply.status, " ", reason,
                   "\r\nContent-Type: application/json\r\nContent-Length: ", reply.body.size(),
                   "\r\n\r\n", reply.body);
  mg_write(connection, response.data(), response.size());
}

}  // namespace

absl::StatusOr<std::unique_ptr<WebhookServer>> WebhookServer::Start(const std::string& listen,
                                                                    WebhookHandler& handler,
                                                                    size_t max_body_bytes) {
  std::unique_ptr<WebhookServer> server(new WebhookServer(handler, max_body_bytes));
  const char* options[] = {"listening_ports",   listen.c_str(), "num_threads", "16",
                           "enable_keep_alive", "yes",          nullptr};
  mg_callbacks callbacks;
  std::memset(&callbacks, 0, sizeof(callbacks));
  server->context_ = mg_start(&callbacks, nullptr, options);
  if (server->context_ == nullptr) {
    return absl::UnavailableError(absl::StrCat("--http_listen: cannot listen on ", listen));
  }
  mg_set_request_handler(server->context_, "/", &WebhookServer::OnRequest, server.get());
  mg_server_port ports[4];
  const int n = mg_get_server_ports(server->context_, 4, ports);
  if (n < 1) return absl::InternalError("--http_listen: no port bound");
  server->port_ = ports[0].port;
  return server;
}

WebhookServer::~WebhookServer() {
  if (context_ != nullptr) mg_stop(context_);
}

int WebhookServer::OnRequest(mg_connection* connection, void* self) {
  return static_cast<WebhookServer*>(self)->Serve(connection);
}

int WebhookServer::Serve(mg_connection* connection) {
  const mg_request_info* info = mg_get_request_info(connection);
  if (std::strcmp(info->request_method, "POST") != 0) {
    Reply(connection, {405, R"({"error": "POST S3 event notifications here"})"});
    return 405;
  }
  if (info->content_length > static_cast<long long>(max_body_bytes_)) {
    Reply(connection, handler_.TooLarge(info->content_length));
    return 413;
  }
  // Read at most one byte past the limit: a chunked body has no length to check up front.
  std::string body;
  char buffer[16384];
  int got;
  while (body.size() <= max_body_bytes_ &&
         (got = mg_read(connection, buffer, sizeof(buffer))) > 0) {
    body.append(buffer, got);
  }
  const HttpReply reply = handler_.Handle(body);
  Reply(connection, reply);
  return reply.status;
}

}  // namespace fanout::trigger
