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
// `guard`: see HttpServer::Options.
absl::StatusOr<std::unique_ptr<HttpServer>> StartMetricsServer(
    const std::string& listen, prometheus::Registry& registry,
    std::function<void()> before_scrape = nullptr,
    std::function<std::optional<HttpResponse>(const HttpRequest&)> guard = nullptr);

}  // namespace fanout

#endif  // FANOUT_COMMON_METRICS_HTTP_H_
