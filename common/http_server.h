// A small HTTP server (civetweb) for fanout's endpoints: metrics, the dashboard and its JSON API,
// the trigger's webhook. Every request is handed to one function; it runs on civetweb's worker
// threads.
#ifndef FANOUT_COMMON_HTTP_SERVER_H_
#define FANOUT_COMMON_HTTP_SERVER_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "common/tls_front.h"

struct mg_context;
struct mg_connection;

namespace fanout {

struct HttpRequest {
  std::string method;
  std::string path;   // decoded, without the query
  std::string query;  // raw, without '?'
  // A POST's body, read only when the server takes bodies (Options::max_body_bytes) and the
  // declared length is within the limit: at most one byte past it (a chunked body declares none).
  std::string body;
  long long content_length = -1;  // as declared; -1: none
  // Header names in lower case; a repeated header keeps its first value.
  absl::flat_hash_map<std::string, std::string> headers;
  std::string remote_address;  // the peer's IP

  // The header's value, or "" when absent; `name` in lower case.
  const std::string& Header(const std::string& name) const;
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
  struct Options {
    int threads = 4;
    // POST bodies up to this size are read and handed over; 0: GET and HEAD only (others get
    // 405 without reaching the handler).
    size_t max_body_bytes = 0;
    // Asked first (before any body is read): a response refuses the request with it, nullopt
    // lets it through (e.g. a token check).
    std::function<std::optional<HttpResponse>(const HttpRequest&)> guard;
    // HTTPS only, with these PEM files (a TlsFront on `listen`, the server itself on loopback);
    // empty: plain HTTP.
    std::string tls_cert, tls_key;
  };

  // `listen` is HOST:PORT (port 0 picks a free one, see port()); `flag` names the setting in
  // errors.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(const std::string& listen,
                                                           const std::string& flag, Handler handler,
                                                           Options options);
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(const std::string& listen,
                                                           const std::string& flag,
                                                           Handler handler) {
    return Start(listen, flag, std::move(handler), Options());
  }
  ~HttpServer();  // stops serving; requests in progress finish first

  int port() const { return tls_ ? tls_->port() : port_; }

 private:
  HttpServer(Handler handler, Options options) : handler_(std::move(handler)), options_(options) {}
  static int OnRequest(mg_connection* connection, void* self);
  // Reads the request (and its body, when taken) and asks the handler; never throws.
  HttpResponse Answer(mg_connection* connection, const HttpRequest& head);

  const Handler handler_;
  const Options options_;
  mg_context* context_ = nullptr;
  std::unique_ptr<TlsFront> tls_;
  int port_ = 0;
  std::string knock_host_ = "127.0.0.1";  // where the destructor wakes the listener
};

}  // namespace fanout

#endif  // FANOUT_COMMON_HTTP_SERVER_H_
