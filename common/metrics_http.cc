#include "common/metrics_http.h"

#include <sstream>

#include "prometheus/text_serializer.h"

namespace fanout {

HttpResponse MetricsResponse(prometheus::Registry& registry) {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, registry.Collect());
  return {200, "text/plain; version=0.0.4; charset=utf-8", out.str()};
}

absl::StatusOr<std::unique_ptr<HttpServer>> StartMetricsServer(
    const std::string& listen, prometheus::Registry& registry, std::function<void()> before_scrape,
    std::function<std::optional<HttpResponse>(const HttpRequest&)> guard) {
  return HttpServer::Start(
      listen, "metrics_listen",
      [&registry, before_scrape = std::move(before_scrape)](const HttpRequest& request) {
        if (request.path != "/metrics") {
          return HttpResponse{404, "text/plain", "metrics are at /metrics\n"};
        }
        if (before_scrape) before_scrape();
        return MetricsResponse(registry);
      },
      HttpServer::Options{.threads = 2, .guard = std::move(guard)});
}

}  // namespace fanout
