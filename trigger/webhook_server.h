// The webhook's HTTP server (civetweb): POST on any path hands the body to a WebhookHandler;
// bodies over the limit are refused with 413 before they are read.
#ifndef FANOUT_TRIGGER_WEBHOOK_SERVER_H_
#define FANOUT_TRIGGER_WEBHOOK_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "trigger/webhook_handler.h"

struct mg_context;
struct mg_connection;

namespace fanout::trigger {

class WebhookServer {
 public:
  // `listen` is HOST:PORT; port 0 picks a free one (see port()).
  static absl::StatusOr<std::unique_ptr<WebhookServer>> Start(const std::string& listen,
                                                              WebhookHandler& handler,
                                                              size_t max_body_bytes);
  ~WebhookServer();  // stops serving; requests in progress finish first

  int port() const { return port_; }

 private:
  WebhookServer(WebhookHandler& handler, size_t max_body_bytes)
      : handler_(handler), max_body_bytes_(max_body_bytes) {}
  static int OnRequest(mg_connection* connection, void* self);
  int Serve(mg_connection* connection);

  WebhookHandler& handler_;
  const size_t max_body_bytes_;
  mg_context* context_ = nullptr;
  int port_ = 0;
};

}  // namespace fanout::trigger

#endif  // FANOUT_TRIGGER_WEBHOOK_SERVER_H_
