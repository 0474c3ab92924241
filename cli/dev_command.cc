// `fanout dev`: a coordinator and N workers in one process on an embedded RocksDB — the same code
// as production, for local use and demos.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <tuple>

#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "cli/client.h"
#include "cli/commands.h"
#include "cli/dev.h"
#include "cli/dev_flags.h"
#include "cli/dev_tls.h"
#include "cli/flags.h"
#include "common/loopback.h"
#include "common/process_util.h"
#include "coordinator/coordinator_server.h"
#include "trigger/trigger_service.h"
#include "worker/functions/catalog_flags.h"
#include "worker/functions/runtime_metrics.h"
#include "worker/handler_registry.h"
#include "worker/worker.h"
#include "worker/worker_metrics.h"

namespace fanout::cli {

namespace {

// With --trigger_config, the trigger its rules describe, submitting to `coordinator`; else null.
absl::StatusOr<std::unique_ptr<trigger::TriggerService>> StartTrigger(
    const std::string& coordinator, std::shared_ptr<prometheus::Registry> registry,
    const ClientSecurity& security) {
  const std::string rules = absl::GetFlag(FLAGS_trigger_config);
  if (rules.empty()) return nullptr;
  absl::StatusOr<trigger::TriggerConfig> loaded = trigger::LoadTriggerConfig(rules);
  if (!loaded.ok()) return loaded.status();
  if (trigger::HasOpenWebhookRules(*loaded) &&
      !IsLoopbackListen(absl::GetFlag(FLAGS_trigger_listen))) {
    return absl::InvalidArgumentError(
        "--trigger_listen is reachable beyond loopback and a webhook rule has no \"auth\": "
        "anyone could submit events (docs/triggers.md, Signed webhooks)");
  }
  return trigger::TriggerService::Start(std::move(*loaded), coordinator,
                                        absl::GetFlag(FLAGS_trigger_listen), std::move(registry),
                                        security);
}

// What the in-process workers and trigger call with: nothing on loopback; with auth on, tokens
// of their own (role worker, role trigger).
absl::Status MintClientTokens(coordinator::CoordinatorServer& server, ClientSecurity* workers,
                              ClientSecurity* trigger, std::vector<std::string>* minted) {
  if (!server.auth_required()) return absl::OkStatus();
  for (auto [client, role, name] : {std::tuple(workers, v1::ROLE_WORKER, "fanout dev workers"),
                                    std::tuple(trigger, v1::ROLE_TRIGGER, "fanout dev trigger")}) {
    absl::StatusOr<v1::CreateTokenResponse> made = server.MintToken(role, name);
    if (!made.ok()) return made.status();
    client->token = made->token();
    minted->push_back(made->info().id());
  }
  return absl::OkStatus();
}

std::vector<std::unique_ptr<worker::Worker>> StartWorkers(const std::string& coordinator,
                                                          const ClientSecurity& security,
                                                          worker::FunctionCatalog& functions,
                                                          worker::WorkerMetrics* metrics) {
  std::vector<std::unique_ptr<worker::Worker>> workers;
  for (int i = 0; i < std::max(0, absl::GetFlag(FLAGS_workers)); ++i) {
    worker::Worker::Options options;
    options.coordinator = coordinator;
    options.security = security;
    options.metrics = metrics;
    options.slots = std::max(1, absl::GetFlag(FLAGS_slots));
    workers.push_back(std::make_unique<worker::Worker>(
        options, worker::HandlersWithFunctions(functions), MonotonicClock::Get()));
    workers.back()->Start();
  }
  return workers;
}

}  // namespace

int DevCommand() {
  // A dev whose jobs could never run is refused, not started quietly (0 workers is a coordinator
  // for workers started apart).
  if (absl::GetFlag(FLAGS_workers) < 0 || absl::GetFlag(FLAGS_slots) < 1) {
    return Fail(absl::InvalidArgumentError(absl::StrCat(
        absl::GetFlag(FLAGS_workers) < 0 ? "--workers: " : "--slots: ",
        absl::GetFlag(FLAGS_workers) < 0 ? absl::GetFlag(FLAGS_workers)
                                         : absl::GetFlag(FLAGS_slots),
        absl::GetFlag(FLAGS_workers) < 0 ? " is negative" : " is not a positive count")));
  }
  coordinator::CoordinatorConfig config;
  config.listen = absl::GetFlag(FLAGS_listen);
  config.data_dir = absl::GetFlag(FLAGS_data_dir);
  // Zero setup on one's own machine: jobs may use the files below where `fanout dev` started.
  if (absl::GetFlag(FLAGS_file_roots).empty()) {
    std::error_code ec;
    const std::string here = std::filesystem::current_path(ec).string();
    if (ec)
      return Fail(
          absl::FailedPreconditionError("the current directory is gone: give --file_roots"));
    absl::SetFlag(&FLAGS_file_roots, {here});
  }
  config.file_roots = absl::GetFlag(FLAGS_file_roots);
  config.http_listen = absl::GetFlag(FLAGS_http_listen);
  config.security.auth = absl::GetFlag(FLAGS_auth);
  ClientSecurity worker_security, trigger_security;
  std::string tls_ca;
  if (absl::GetFlag(FLAGS_tls)) {
    absl::StatusOr<DevTlsFiles> tls = MakeDevTls(config.data_dir + "/tls");
    if (!tls.ok()) return Fail(tls.status());
    config.security.tls_cert = tls->cert;
    config.security.tls_key = tls->key;
    tls_ca = tls->ca;
    std::ifstream in(tls->ca);
    const std::string pem((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (ClientSecurity* client : {&worker_security, &trigger_security}) {
      client->tls = true;
      client->ca_pem = pem;
    }
  }
  // One registry for the coordinator and the trigger: the dashboard's /metrics shows both.
  config.registry = std::make_shared<prometheus::Registry>();
  auto server = coordinator::CoordinatorServer::Start(config, MonotonicClock::Get());
  if (!server.ok() && absl::StartsWith(server.status().message(), "--http_listen")) {
    // A second `fanout dev` on this machine: it runs without a dashboard rather than not at all.
    std::cerr << "fanout dev: no dashboard: " << server.status().message() << "\n";
    config.http_listen.clear();
    server = coordinator::CoordinatorServer::Start(config, MonotonicClock::Get());
  }
  if (!server.ok()) {
    std::cerr << "fanout dev: " << server.status().message() << "\n";
    return kExitUsage;
  }
  // Revoked when `fanout dev` stops: a restart makes new ones rather than piling up live ones.
  std::vector<std::string> minted;
  if (absl::Status made = MintClientTokens(**server, &worker_security, &trigger_security, &minted);
      !made.ok()) {
    return Fail(made);
  }
  absl::StatusOr<std::unique_ptr<trigger::TriggerService>> trigger =
      StartTrigger((*server)->address(), config.registry, trigger_security);
  if (!trigger.ok()) return Fail(trigger.status());
  // One catalog for the in-process workers: one code cache, one pool of warm runtimes.
  absl::StatusOr<std::unique_ptr<worker::FunctionCatalog>> functions =
      worker::FunctionCatalogFromFlags(
          (*server)->address(), worker_security,
          std::max(0, absl::GetFlag(FLAGS_workers)) * std::max(1, absl::GetFlag(FLAGS_slots)),
          {config.data_dir});
  if (!functions.ok()) {
    std::cerr << "fanout dev: " << functions.status().message() << "\n";
    return 2;
  }
  // The workers' series in the same registry (one set for all of them, as if one worker had all
  // the slots): the dashboard's /metrics is every process's.
  const int slots =
      std::max(0, absl::GetFlag(FLAGS_workers)) * std::max(1, absl::GetFlag(FLAGS_slots));
  auto worker_metrics = std::make_unique<worker::WorkerMetrics>(*config.registry, slots);
  auto runtime_metrics = std::make_unique<worker::RuntimeMetrics>(*config.registry);
  std::vector<std::unique_ptr<worker::Worker>> workers =
      StartWorkers((*server)->address(), worker_security, **functions, worker_metrics.get());
  (*server)->SetScrapeHook([t = trigger->get(), &workers, m = worker_metrics.get(),
                            r = runtime_metrics.get(), f = functions->get()] {
    if (t != nullptr) t->RefreshMetrics();
    int busy = 0;
    for (const auto& w : workers) busy += w->busy();
    m->SetBusy(busy);
    r->Refresh(f->pool());
  });
  // Written once everything serves: whoever waits for it may use the trigger at once.
  if (!absl::GetFlag(FLAGS_port_file).empty()) {
    absl::Status written = WritePortFile(absl::GetFlag(FLAGS_port_file), (*server)->port());
    if (!written.ok()) return Fail(written);
  }
  std::cout
      << "fanout dev: coordinator on " << (*server)->address() << " (data in " << config.data_dir
      << "), " << workers.size() << " workers x " << absl::GetFlag(FLAGS_slots) << " slots\n"
      << (tls_ca.empty() ? ""
                         : absl::StrCat("  tls: clients trust ", tls_ca,
                                        " (export FANOUT_TLS_CA=", tls_ca, ")\n"))
      << ((*server)->auth_required()
              ? "  auth: required — calls need a token (the first admin token is in the "
                "data dir's admin.token)\n"
              : "  auth: off — on loopback, every local user may do anything (--auth=required "
                "to need tokens)\n")
      << "  submit with: fanout submit --coordinator=" << (*server)->address()
      << " --function=builtin:noop --source=range:1-100 --wait\n";
  if ((*server)->http_port() != 0) {
    std::cout << "  dashboard: " << (tls_ca.empty() ? "http" : "https") << "://"
              << config.http_listen.substr(0, config.http_listen.rfind(':')) << ":"
              << (*server)->http_port() << "/  (metrics at /metrics)\n";
  }
  if (*trigger != nullptr) {
    std::cout << "  trigger: " << (*trigger)->config().rules.size() << " rules from "
              << (*trigger)->config().path << ", webhook on "
              << absl::GetFlag(FLAGS_trigger_listen)
                     .substr(0, absl::GetFlag(FLAGS_trigger_listen).rfind(':'))
              << ":" << (*trigger)->port() << "\n";
  }
  std::cout << std::flush;
  const int signal = WaitForTerminationSignal([&] { return !(*server)->health().ok(); });
  if (signal == 0) std::cerr << "fanout dev: " << (*server)->health().message() << "\n";
  std::cout << "fanout dev: stopping\n" << std::flush;
  (*server)->SetScrapeHook(nullptr);
  trigger->reset();
  for (auto& w : workers) w->Stop();
  // A Worker that abandoned a stuck handler is left for the process exit (see worker.h).
  bool abandoned = false;
  for (auto& w : workers) {
    if (w->abandoned() > 0) (void)w.release(), abandoned = true;
  }
  workers.clear();
  // Ends every warm runtime; with an abandoned handler, only the idle ones (it may use one).
  if (abandoned) {
    (*functions)->pool().EndIdle([](const worker::FunctionConfig&) { return true; });
    (void)functions->release();
  }
  functions->reset();
  for (const std::string& id : minted) (*server)->RevokeMinted(id);
  (*server)->Shutdown();
  return signal == 0 ? kExitUnavailable : kExitOk;
}

}  // namespace fanout::cli
