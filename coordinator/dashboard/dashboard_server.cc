#include "coordinator/dashboard/dashboard_server.h"

#include "absl/strings/match.h"
#include "common/embedded_assets.h"
#include "common/proto_time.h"

namespace fanout::coordinator {
absl::StatusOr<std::unique_ptr<DashboardServer>> DashboardServer::Start(
    const std::string& listen, JobManager& manager, Clock& clock,
    std::function<HttpResponse()> metrics, HttpServer::Options http_options,
    absl::Duration sample_every) {
  std::unique_ptr<DashboardServer> s(new DashboardServer(manager, clock, std::move(metrics)));
  s->SampleOnce();  // the first rate needs a sample from before the page opened
  auto http = HttpServer::Start(
      listen, "http_listen", [server = s.get()](const HttpRequest& r) { return server->Serve(r); },
      std::move(http_options));
  if (!http.ok()) return http.status();
  s->http_ = std::move(*http);
  s->sampler_ = std::thread([server = s.get(), sample_every] { server->SampleLoop(sample_every); });
  return s;
}

DashboardServer::~DashboardServer() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (sampler_.joinable()) sampler_.join();
  http_.reset();  // in-flight requests finish before the API goes away
}

HttpResponse DashboardServer::Serve(const HttpRequest& request) {
  if (request.path == "/metrics") return metrics_();
  if (absl::StartsWith(request.path, "/api/")) return api_.Handle(request);
  const std::string path = request.path == "/" ? "/index.html" : request.path;
  for (const EmbeddedAsset& asset : EmbeddedAssets()) {
    // Not cached: after an upgrade the browser must not mix old pages with a new API.
    if (path == asset.path) return {200, asset.content_type, asset.body};
  }
  return {404, "text/plain; charset=utf-8", "not found: the dashboard is at /\n"};
}

void DashboardServer::SampleLoop(absl::Duration every) {
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (mu_.AwaitWithTimeout(absl::Condition(&stop_), every)) return;
    }
    SampleOnce();
  }
}

void DashboardServer::SampleOnce() {
  // Running jobs, and ended ones for a last sample, so that the chart shows how they finished.
  history_.Sample(manager_.JobGauges(absl::Minutes(1)), clock_.Now());
}

}  // namespace fanout::coordinator
