// The coordinator's web dashboard (`--http_listen`): static pages compiled into the binary, the
// JSON API behind them (DashboardApi), and /metrics; plus the thread that samples jobs' throughput
// for the rate, ETA and chart.
#ifndef FANOUT_COORDINATOR_DASHBOARD_DASHBOARD_SERVER_H_
#define FANOUT_COORDINATOR_DASHBOARD_DASHBOARD_SERVER_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "common/http_server.h"
#include "coordinator/dashboard/dashboard_api.h"
#include "coordinator/dashboard/throughput_history.h"
#include "coordinator/job_manager.h"

namespace fanout::coordinator {

// Thread-safe. `manager` and `clock` outlive it.
class DashboardServer {
 public:
  // `metrics` answers GET /metrics; `http` says who may ask (guard) and how (TLS).
  static absl::StatusOr<std::unique_ptr<DashboardServer>> Start(
      const std::string& listen, JobManager& manager, Clock& clock,
      std::function<HttpResponse()> metrics, HttpServer::Options http = {},
      absl::Duration sample_every = absl::Seconds(1));
  ~DashboardServer();

  int port() const { return http_->port(); }

 private:
  DashboardServer(JobManager& manager, Clock& clock, std::function<HttpResponse()> metrics)
      : manager_(manager), clock_(clock), api_(manager, history_, clock), metrics_(metrics) {}
  HttpResponse Serve(const HttpRequest& request);
  void SampleLoop(absl::Duration every);
  void SampleOnce();

  JobManager& manager_;
  Clock& clock_;
  ThroughputHistory history_;
  DashboardApi api_;
  const std::function<HttpResponse()> metrics_;
  std::unique_ptr<HttpServer> http_;

  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread sampler_;
};

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_DASHBOARD_DASHBOARD_SERVER_H_
