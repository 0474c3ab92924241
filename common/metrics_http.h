// Serving a prometheus-cpp registry at /metrics (the text exposition format, version 0.0.4): the
// `--metrics_listen` of every fanout process.
#ifndef FANOUT_COMMON_METRICS_HTTP_H_
#define FANOUT_COMMON_METRICS_HTTP_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/http_server.h"
#include "prometheus/registry.h"

namespace fanout {

// The registry's metrics as a /metrics response.
HttpResponse MetricsResponse(prometheus::Registry& registry);

// Serves GET /metrics on `listen`; `before_scrape` (if set) runs first, to refresh gauges that are
// read from elsewhere. `registry` must outlive the server.
// `options`: a guard, TLS (see HttpServer::Options).
absl::StatusOr<std::unique_ptr<HttpServer>> StartMetricsServer(
    const std::string& listen, prometheus::Registry& registry,
    std::function<void()> before_scrape = nullptr, HttpServer::Options options = {.threads = 2});

// For a worker's or trigger's --metrics_listen: a scraper must send "Authorization: Bearer" with
// the token in `token_file` (when given); without one, only a loopback address is allowed.
// Errors name the flags.
absl::StatusOr<HttpServer::Options> MetricsServerOptions(const std::string& listen,
                                                         const std::string& token_file);

}  // namespace fanout

#endif  // FANOUT_COMMON_METRICS_HTTP_H_
