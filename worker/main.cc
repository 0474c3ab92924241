// fanout-worker: flags and wiring only; see worker.h.
#include <cstdlib>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "common/clock.h"
#include "common/coordinator_channel.h"
#include "common/metrics_http.h"
#include "common/process_util.h"
#include "glog/logging.h"
#include "worker/functions/catalog_flags.h"
#include "worker/functions/runtime_metrics.h"
#include "worker/handler_registry.h"
#include "worker/worker.h"

ABSL_FLAG(std::string, coordinator, "",
          "coordinator host:port (default: $FANOUT_COORDINATOR, then 127.0.0.1:7070)");
ABSL_FLAG(int, slots, 4, "tasks run at once");
ABSL_FLAG(std::string, worker_id, "", "name shown in `fanout workers` (default: host-pid-random)");
ABSL_FLAG(absl::Duration, drain_timeout, absl::Seconds(30),
          "on SIGTERM, how long running tasks may take to finish before they are cancelled");
ABSL_FLAG(std::string, metrics_listen, "",
          "host:port to serve Prometheus metrics on, at /metrics (empty: none)");
ABSL_FLAG(std::string, metrics_token_file, "",
          "a file with the token scrapers of --metrics_listen must send (Authorization: Bearer); "
          "needed beyond loopback");
ABSL_FLAG(std::string, history_file, "",
          "testing: append every outcome and checkpoint the coordinator answered to this file, "
          "one JSON line each (worker/history.h), for checkers of a run's history");
ABSL_FLAG(absl::Duration, abandon_grace, absl::Seconds(2),
          "how long a handler may run past its time limit before it is abandoned (its task "
          "continues elsewhere from its last checkpoint)");

int main(int argc, char** argv) {
  fanout::PrepareServerProcess();
  absl::SetProgramUsageMessage(
      "fanout-worker --coordinator=HOST:PORT [--slots=N] [--metrics_listen=HOST:PORT]\n"
      "Stateless executor: leases tasks from the coordinator, runs them, reports results.");
  absl::ParseCommandLine(argc, argv);
  google::InitGoogleLogging(argv[0]);
  FLAGS_logtostderr = true;

  fanout::worker::Worker::Options options;
  options.coordinator = absl::GetFlag(FLAGS_coordinator);
  if (options.coordinator.empty()) {
    const char* env = std::getenv("FANOUT_COORDINATOR");
    options.coordinator = env != nullptr && *env != '\0' ? env : "127.0.0.1:7070";
  }
  absl::StatusOr<fanout::ClientSecurity> security = fanout::ClientSecurityFromFlags();
  if (!security.ok()) {
    std::cerr << "fanout-worker: " << security.status().message() << "\n";
    return 2;
  }
  options.security = *security;
  options.slots = absl::GetFlag(FLAGS_slots);
  if (options.slots < 1) {
    std::cerr << "fanout-worker: slots: must be at least 1\n";
    return 2;
  }
  options.worker_id = absl::GetFlag(FLAGS_worker_id);
  options.drain_timeout = absl::GetFlag(FLAGS_drain_timeout);
  options.abandon_grace = absl::GetFlag(FLAGS_abandon_grace);
  if (const std::string path = absl::GetFlag(FLAGS_history_file); !path.empty()) {
    absl::StatusOr<std::unique_ptr<fanout::worker::History>> history =
        fanout::worker::History::Open(path, options.worker_id);
    if (!history.ok()) {
      std::cerr << "fanout-worker: " << history.status().message() << "\n";
      return 2;
    }
    options.history = history->release();  // never freed, like the metrics below
  }
  // Never freed: a worker left to the process exit (see below) may still count invocations.
  auto* registry = new prometheus::Registry();
  options.metrics = new fanout::worker::WorkerMetrics(*registry, options.slots);
  // On the heap: a Worker that abandoned a stuck handler is left for the process exit to take,
  // since that handler's thread may still refer to it.
  // Freed with the worker (ending every runtime of users' functions), unless a handler was
  // abandoned and may still use it.
  absl::StatusOr<std::unique_ptr<fanout::worker::FunctionCatalog>> catalog =
      fanout::worker::FunctionCatalogFromFlags(options.coordinator, options.security,
                                               options.slots);
  if (!catalog.ok()) {
    std::cerr << "fanout-worker: " << catalog.status().message() << "\n";
    return 2;
  }
  fanout::worker::FunctionCatalog* functions = catalog->release();
  auto* worker_ptr = new fanout::worker::Worker(
      options, fanout::worker::HandlersWithFunctions(*functions), fanout::MonotonicClock::Get());
  fanout::worker::Worker& worker = *worker_ptr;
  auto* runtimes = new fanout::worker::RuntimeMetrics(*registry);  // never freed, as the registry
  std::unique_ptr<fanout::HttpServer> metrics_server;
  if (const std::string listen = absl::GetFlag(FLAGS_metrics_listen); !listen.empty()) {
    absl::StatusOr<fanout::HttpServer::Options> http =
        fanout::MetricsServerOptions(listen, absl::GetFlag(FLAGS_metrics_token_file));
    if (!http.ok()) {
      std::cerr << "fanout-worker: " << http.status().message() << "\n";
      return 2;
    }
    auto started = fanout::StartMetricsServer(
        listen, *registry,
        [&worker, metrics = options.metrics, runtimes, functions] {
          metrics->SetBusy(worker.busy());
          runtimes->Refresh(functions->pool());
        },
        *std::move(http));
    if (!started.ok()) {
      std::cerr << "fanout-worker: " << started.status().message() << "\n";
      return 2;
    }
    metrics_server = std::move(*started);
    LOG(INFO) << "metrics on port " << metrics_server->port() << " at /metrics";
  }
  worker.Start();
  LOG(INFO) << "worker " << worker.id() << " with " << options.slots << " slots, coordinator "
            << options.coordinator;
  const int signal = fanout::WaitForTerminationSignal();
  LOG(INFO) << "signal " << signal << ": draining";
  worker.Stop();
  metrics_server.reset();
  LOG(INFO) << "stopped after reporting " << worker.reported() << " outcomes";
  if (worker.abandoned() == 0) {
    delete worker_ptr;
    delete functions;
  } else {
    functions->pool().EndIdle([](const fanout::worker::FunctionConfig&) { return true; });
  }
  fanout::ExitNow(0);
}
