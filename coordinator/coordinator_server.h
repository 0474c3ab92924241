// Wires a whole coordinator: RocksDbJobStore -> JobManager -> gRPC services (plus health checking
// and reflection) on one listening address. Used by fanout-coordinator's main and by `fanout dev`.
#ifndef FANOUT_COORDINATOR_COORDINATOR_SERVER_H_
#define FANOUT_COORDINATOR_COORDINATOR_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/http_server.h"
#include "coordinator/auth/audit_log.h"
#include "coordinator/auth/auth_grpc_service.h"
#include "coordinator/auth/authorizer.h"
#include "coordinator/auth/server_security.h"
#include "coordinator/auth/token_store.h"
#include "coordinator/dashboard/dashboard_server.h"
#include "coordinator/fan_in/fan_in_runner.h"
#include "coordinator/functions/function_grpc_service.h"
#include "coordinator/functions/function_registry.h"
#include "coordinator/job_grpc_service.h"
#include "coordinator/job_manager.h"
#include "coordinator/job_watch_hub.h"
#include "coordinator/metrics/coordinator_metrics.h"
#include "coordinator/rocksdb_job_store.h"
#include "coordinator/split_runner.h"
#include "coordinator/worker_grpc_service.h"
#include "grpcpp/grpcpp.h"
#include "prometheus/registry.h"

namespace fanout::coordinator {

struct CoordinatorConfig {
  std::string listen = "127.0.0.1:7070";  // port 0 picks a free port
  std::string data_dir;
  // Directories file sources and jsonl: results may name (none: no local files).
  std::vector<std::string> file_roots;
  bool sync = true;
  absl::Duration lease_grace = absl::Seconds(10);
  JobManager::Options manager;
  SplitRunner::Options split;
  FanInRunner::Options fan_in;
  // The dashboard, its JSON API and /metrics (empty: not served); port 0 picks one.
  std::string http_listen;
  // /metrics alone (empty: not served).
  std::string metrics_listen;
  // Where the coordinator's metrics are registered; a registry of its own when null.
  std::shared_ptr<prometheus::Registry> registry;
  // Tokens and TLS (see server_security.h).
  SecurityConfig security;
  // RocksDB's Env (null: the default): `--testing_power_loss` puts its power-cut file system here.
  rocksdb::Env* env = nullptr;
};

// Thread-safe. Owned by main / `fanout dev`.
class CoordinatorServer {
 public:
  static absl::StatusOr<std::unique_ptr<CoordinatorServer>> Start(const CoordinatorConfig& config,
                                                                  Clock& clock);
  ~CoordinatorServer();

  int port() const { return port_; }
  // host:port to dial: the listen host (or 127.0.0.1 for a wildcard) with the bound port.
  std::string address() const { return address_; }
  // Runs before each scrape of the coordinator's metrics (null: none); for metrics of other
  // components in the same registry (`fanout dev`'s trigger) that are read at scrape time.
  void SetScrapeHook(std::function<void()> hook) {
    absl::MutexLock lock(&hook_mu_);
    scrape_hook_ = std::move(hook);
  }
  // Bound ports of --http_listen and --metrics_listen (0: not served).
  int http_port() const { return dashboard_ ? dashboard_->port() : 0; }
  int metrics_port() const { return metrics_server_ ? metrics_server_->port() : 0; }
  // A token made for an in-process client (`fanout dev`'s workers and trigger).
  // Audited like any other; revoke it with RevokeMinted when its client is gone.
  absl::StatusOr<v1::CreateTokenResponse> MintToken(v1::Role role, const std::string& name);
  void RevokeMinted(const std::string& id);
  // Whether calls need a token (--auth).
  bool auth_required() const { return authorizer_->required(); }
  // Not OK once the store could not write: the process should exit and be restarted, which reloads
  // a state that agrees with the disk.
  absl::Status health() { return store_->health(); }
  // Stops accepting calls, answers waiting lease calls, lets in-flight calls finish within `grace`,
  // then closes the store. Idempotent. Every worker waits out the grace (its connection is closed
  // to new calls): our calls take milliseconds, yet with 5 s a clean stop in bench/restart_cost
  // took 2.9-4.9 s, held by gRPC with none of our calls in flight (timed by the RPC interceptor),
  // and cost the running job that much.
  void Shutdown(absl::Duration grace = absl::Seconds(1));

 private:
  CoordinatorServer() = default;

  // Brings the scrape-time metrics up to date.
  void RefreshMetrics();
  absl::Status StartHttp(const CoordinatorConfig& config);
  // Tokens, the authorizer and the audit log, before any service.
  absl::Status StartSecurity(const CoordinatorConfig& config, Clock& clock);

  absl::Mutex hook_mu_;
  std::function<void()> scrape_hook_ ABSL_GUARDED_BY(hook_mu_);
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<CoordinatorMetrics> metrics_;
  std::unique_ptr<RocksDbJobStore> store_;
  std::unique_ptr<FunctionRegistry> functions_;
  std::unique_ptr<JobManager> manager_;
  std::unique_ptr<JobWatchHub> hub_;
  std::unique_ptr<SplitRunner> splitter_;
  std::unique_ptr<FanInRunner> fan_in_;
  std::unique_ptr<JobGrpcService> job_service_;
  std::unique_ptr<WorkerGrpcService> worker_service_;
  std::unique_ptr<FunctionGrpcService> function_service_;
  std::unique_ptr<TokenStore> tokens_;
  std::unique_ptr<Authorizer> authorizer_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<AuthGrpcService> auth_service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<DashboardServer> dashboard_;
  std::unique_ptr<HttpServer> metrics_server_;
  Clock* clock_ = nullptr;
  int port_ = 0;
  std::string address_;
  bool shut_down_ = false;
};

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_COORDINATOR_SERVER_H_
