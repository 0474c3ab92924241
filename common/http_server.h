// A small HTTP server (civetweb) for read-only endpoints: metrics, the dashboard and its JSON API.
// Every request is handed to one function; it runs on civetweb's worker threads.
#ifndef FANOUT_COMMON_HTTP_SERVER_H_
#define FANOUT_COMMON_HTTP_SERVER_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

struct mg_context;
struct mg_connection;

namespace fanout {

struct HttpRequest {
  std::string method;
  std::string path;   // decoded, without the query
  std::string query;  // raw, without '?'
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

// The value of `name` in a raw query string ("a=1&b=x"), decoded; `fallback` when absent.
std::string QueryParam(const std::string& query, const std::string& name,
                       const std::string& fallback = "");

class HttpServer {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;

  // `listen` is HOST:PORT (port 0 picks a free one, see port()); `flag` names the setting in
  // errors.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(const std::string& listen,
                                                           const std::string& flag, Handler handler,
                                                           int threads = 4);
  ~HttpServer();  // stops serving; requests in progress finish first

  int port() const { return port_; }

 private:
  explicit HttpServer(Handler handler) : handler_(std::move(handler)) {}
  static int OnRequest(mg_connection* connection, void* self);

  const Handler handler_;
  mg_context* context_ = nullptr;
  int port_ = 0;
};

}  // namespace fanout

#endif  // FANOUT_COMMON_HTTP_SERVER_H_
