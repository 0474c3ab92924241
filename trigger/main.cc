// fanout-trigger: flags and wiring only. Stateless: turns S3 event notifications (webhook, AMQP),
// queue messages (Redis Streams, NATS JetStream, AMQP), new files and cron schedules into jobs,
// one per event, deduplicated by the coordinator (see trigger_service.h).
#include <cstdlib>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "common/coordinator_channel.h"
#include "common/loopback.h"
#include "common/metrics_http.h"
#include "common/process_util.h"
#include "glog/logging.h"
#include "trigger/trigger_service.h"

ABSL_FLAG(std::string, config, "", "the rules: a JSON file (see examples/triggers/)");
ABSL_FLAG(std::string, coordinator, "",
          "coordinator host:port (default: $FANOUT_COORDINATOR, then 127.0.0.1:7070)");
ABSL_FLAG(std::string, http_listen, "127.0.0.1:7071",
          "where the webhook listens for S3 event notifications (port 0: any free port)");
ABSL_FLAG(std::string, metrics_listen, "",
          "host:port to serve Prometheus metrics on, at /metrics (empty: none)");
ABSL_FLAG(std::string, metrics_token_file, "",
          "a file with the token scrapers of --metrics_listen must send (Authorization: Bearer); "
          "needed beyond loopback");
ABSL_FLAG(std::string, tls_cert, "",
          "serve the webhook (and --metrics_listen) over HTTPS with this PEM certificate (chain)");
ABSL_FLAG(std::string, tls_key, "", "the PEM private key of --tls_cert");
ABSL_FLAG(bool, allow_unsigned_webhooks, false,
          "serve webhook rules without \"auth\" on an address beyond loopback (anyone who "
          "reaches it can then submit their events)");
ABSL_FLAG(bool, batch_submits, true,
          "submit a POST's or a message's events in one call, written to disk together; off: one "
          "call (and one disk sync) per event, as before SubmitJobs (for comparison)");
ABSL_FLAG(std::string, port_file, "", "write the webhook's bound port here once serving");

namespace {

std::string Coordinator() {
  std::string address = absl::GetFlag(FLAGS_coordinator);
  if (!address.empty()) return address;
  const char* env = std::getenv("FANOUT_COORDINATOR");
  return env != nullptr && *env != '\0' ? env : "127.0.0.1:7070";
}

}  // namespace

int main(int argc, char** argv) {
  fanout::PrepareServerProcess();
  absl::SetProgramUsageMessage(
      "fanout-trigger --config=FILE [--coordinator=HOST:PORT] [--http_listen=HOST:PORT] "
      "[--port_file=FILE] [--metrics_listen=HOST:PORT]\nTurns storage and queue events into fanout "
      "jobs, each event once.");
  absl::ParseCommandLine(argc, argv);
  google::InitGoogleLogging(argv[0]);
  FLAGS_logtostderr = true;

  absl::StatusOr<fanout::trigger::TriggerConfig> config =
      fanout::trigger::LoadTriggerConfig(absl::GetFlag(FLAGS_config));
  if (!config.ok()) {
    std::cerr << "fanout-trigger: config: " << config.status().message() << "\n";
    return 2;
  }
  // Anyone who reaches the port could forge events for a rule without auth: only on loopback,
  // unless the operator says otherwise.
  const std::string listen = absl::GetFlag(FLAGS_http_listen);
  if (fanout::trigger::HasOpenWebhookRules(*config) && !fanout::IsLoopbackListen(listen) &&
      !absl::GetFlag(FLAGS_allow_unsigned_webhooks)) {
    std::cerr << "fanout-trigger: --http_listen=" << listen
              << " is reachable beyond loopback and a webhook rule has no \"auth\": give each "
                 "webhook rule an auth (docs/triggers.md, Signed webhooks) or pass "
                 "--allow_unsigned_webhooks\n";
    return 2;
  }
  absl::StatusOr<fanout::ClientSecurity> security = fanout::ClientSecurityFromFlags();
  if (!security.ok()) {
    std::cerr << "fanout-trigger: " << security.status().message() << "\n";
    return 2;
  }
  auto service = fanout::trigger::TriggerService::Start(
      std::move(*config), Coordinator(), absl::GetFlag(FLAGS_http_listen), nullptr, *security,
      {.tls_cert = absl::GetFlag(FLAGS_tls_cert), .tls_key = absl::GetFlag(FLAGS_tls_key)});
  if (!service.ok()) {
    std::cerr << "fanout-trigger: " << service.status().message() << "\n";
    return service.status().code() == absl::StatusCode::kUnavailable ? 3 : 2;
  }
  (*service)->set_batch_submits(absl::GetFlag(FLAGS_batch_submits));
  if (const std::string file = absl::GetFlag(FLAGS_port_file); !file.empty()) {
    if (absl::Status s = fanout::WritePortFile(file, (*service)->port()); !s.ok()) {
      std::cerr << "fanout-trigger: --port_file: " << s.message() << "\n";
      return 2;
    }
  }
  std::unique_ptr<fanout::HttpServer> metrics_server;
  if (const std::string listen = absl::GetFlag(FLAGS_metrics_listen); !listen.empty()) {
    absl::StatusOr<fanout::HttpServer::Options> http =
        fanout::MetricsServerOptions(listen, absl::GetFlag(FLAGS_metrics_token_file));
    if (!http.ok()) {
      std::cerr << "fanout-trigger: " << http.status().message() << "\n";
      return 2;
    }
    http->tls_cert = absl::GetFlag(FLAGS_tls_cert);
    http->tls_key = absl::GetFlag(FLAGS_tls_key);
    auto started = fanout::StartMetricsServer(
        listen, (*service)->registry(), [&service] { (*service)->RefreshMetrics(); },
        *std::move(http));
    if (!started.ok()) {
      std::cerr << "fanout-trigger: " << started.status().message() << "\n";
      return 2;
    }
    metrics_server = std::move(*started);
    LOG(INFO) << "metrics on port " << metrics_server->port() << " at /metrics";
  }
  LOG(INFO) << "webhook on port " << (*service)->port() << ", " << (*service)->config().rules.size()
            << " rules from " << (*service)->config().path << ", coordinator " << Coordinator();
  const int signal = fanout::WaitForTerminationSignal();
  LOG(INFO) << "signal " << signal << ": stopping";
  const auto& c = (*service)->counts();
  LOG(INFO) << "posts " << c.received << ", jobs " << c.accepted << ", duplicates " << c.duplicates
            << ", ignored " << c.ignored << ", rejected " << c.rejected;
  metrics_server.reset();
  service->reset();
  return 0;
}
