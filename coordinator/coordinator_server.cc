#include "coordinator/coordinator_server.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/functions.h"
#include "common/json_text.h"
#include "common/limits.h"
#include "common/metrics_http.h"
#include "common/status_macros.h"
#include "coordinator/auth/http_guard.h"
#include "coordinator/functions/function_params.h"
#include "coordinator/metrics/rpc_timer.h"
#include "glog/logging.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"

namespace fanout::coordinator {
namespace {

std::string DialAddress(absl::string_view listen, int port) {
  absl::string_view host = listen.substr(0, listen.rfind(':'));
  if (host.empty() || host == "0.0.0.0" || host == "[::]") host = "127.0.0.1";
  return absl::StrCat(host, ":", port);
}

// A job naming a user's function runs the version it got now, with that version's time limit and
// memory unless the job set its own.
absl::Status PinFunction(FunctionRegistry& functions, v1::JobSpec& spec) {
  ASSIGN_OR_RETURN(FunctionSpec named, ParseFunction(spec.function()));
  absl::StatusOr<v1::FunctionVersion> version = functions.Resolve(named);
  if (!version.ok()) {
    return absl::Status(version.status().code() == absl::StatusCode::kNotFound
                            ? absl::StatusCode::kInvalidArgument
                            : version.status().code(),
                        absl::StrCat("function: ", version.status().message()));
  }
  // Checked at submit like a built-in's: a job whose parameters cannot work runs no task.
  absl::StatusOr<nlohmann::json> params =
      ParseJson(spec.params_json().empty() ? "{}" : spec.params_json(), "params_json");
  if (!params.ok()) return params.status();
  RETURN_IF_ERROR(CheckFunctionParams(*version, *params));
  spec.set_function(absl::StrCat(version->name(), ":", version->version()));
  v1::JobOptions* options = spec.mutable_options();
  if (!options->has_timeout()) *options->mutable_timeout() = version->settings().timeout();
  if (options->memory_mb() == 0) options->set_memory_mb(version->settings().memory_mb());
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<CoordinatorServer>> CoordinatorServer::Start(
    const CoordinatorConfig& config, Clock& clock) {
  if (config.data_dir.empty()) return absl::InvalidArgumentError("data_dir: missing");
  // The store, the functions' code and env, the tokens' hashes and keys: the coordinator's alone.
  std::error_code made;
  std::filesystem::create_directories(config.data_dir, made);
  if (::chmod(config.data_dir.c_str(), 0700) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "--data_dir: ", config.data_dir, ": cannot make it private: ", std::strerror(errno)));
  }
  std::unique_ptr<CoordinatorServer> s(new CoordinatorServer());
  s->clock_ = &clock;
  s->registry_ =
      config.registry != nullptr ? config.registry : std::make_shared<prometheus::Registry>();
  s->metrics_ = std::make_unique<CoordinatorMetrics>(*s->registry_);
  RocksDbJobStore::Options store_options;
  store_options.on_commit = [metrics = s->metrics_.get()](uint64_t batches, absl::Duration took) {
    metrics->DiskWrite(batches, took);
  };
  store_options.path = config.data_dir;
  store_options.env = config.env;
  store_options.sync = config.sync;
  // Renewals are kept in memory only; a grace of at least one TTL covers any renewal granted
  // before a restart (TaskTable::LoadTask).
  store_options.lease_grace = std::max(config.lease_grace, config.manager.lease_ttl);
  ASSIGN_OR_RETURN(s->store_, RocksDbJobStore::Open(store_options, clock, RetryPolicy::Random()));
  FunctionRegistry::Options function_options;
  function_options.data_dir = config.data_dir;
  function_options.sync = config.sync;
  ASSIGN_OR_RETURN(s->functions_, FunctionRegistry::Open(function_options, clock));
  // The data dir (the store, the functions' code, the token file) is never a job's to reach.
  ASSIGN_OR_RETURN(const FileRoots roots,
                   FileRoots::Make(config.file_roots,
                                   {config.data_dir, config.security.tls_key,
                                    config.security.tls_cert, config.security.tls_client_ca},
                                   "--file_roots"));
  JobManager::Options manager_options = config.manager;
  manager_options.file_roots = roots;
  ASSIGN_OR_RETURN(LeaseTokens lease_tokens,
                   LeaseTokens::FromKeyFile(config.data_dir + "/lease.key"));
  manager_options.lease_tokens = std::make_shared<const LeaseTokens>(std::move(lease_tokens));
  manager_options.metrics = s->metrics_.get();
  manager_options.pin_function = [functions = s->functions_.get()](v1::JobSpec& spec) {
    return PinFunction(*functions, spec);
  };
  s->manager_ = std::make_unique<JobManager>(*s->store_, clock, manager_options);
  s->hub_ = std::make_unique<JobWatchHub>(*s->manager_, absl::Milliseconds(250));
  s->splitter_ = std::make_unique<SplitRunner>(
      *s->store_, clock,
      [max = config.manager.max_item_bytes, roots](const v1::JobSpec& spec) {
        return MakeSequentialSource(spec.source(), spec.options().split_bytes(), max, roots);
      },
      [manager = s->manager_.get()] { manager->TasksArrived(); }, config.split);
  s->fan_in_ = std::make_unique<FanInRunner>(
      *s->store_, clock,
      [roots](const v1::Job& job) {
        return OpenManifestSink(job.spec().results(), job.job_id(), roots);
      },
      [manager = s->manager_.get()](const v1::JobSpec& spec) -> absl::StatusOr<v1::Job> {
        ASSIGN_OR_RETURN(SubmitOutcome out, manager->SubmitJob(spec));
        return out.job;
      },
      [hub = s->hub_.get()] { hub->Poke(); }, config.fan_in);
  s->manager_->set_change_listener(
      [hub = s->hub_.get(), splitter = s->splitter_.get(), fan_in = s->fan_in_.get()] {
        hub->Poke();
        splitter->Poke();
        fan_in->Poke();
      });
  RETURN_IF_ERROR(s->StartSecurity(config, clock));
  s->job_service_ = std::make_unique<JobGrpcService>(*s->manager_, *s->hub_, *s->authorizer_);
  s->worker_service_ = std::make_unique<WorkerGrpcService>(*s->manager_, *s->authorizer_);
  s->function_service_ =
      std::make_unique<FunctionGrpcService>(*s->functions_, *s->authorizer_, *s->audit_);
  s->auth_service_ = std::make_unique<AuthGrpcService>(*s->tokens_, *s->authorizer_, *s->audit_);

  grpc::EnableDefaultHealthCheckService(true);
  // Reflection lists every call to whoever asks: only where no token is needed anyway.
  if (!s->authorizer_->required()) grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> credentials,
                   ServerCredentialsFor(config.security));
  grpc::ServerBuilder builder;
  builder.AddListeningPort(config.listen, credentials, &s->port_);
  // gRPC sets SO_REUSEPORT by default: a second coordinator on the same port would start without
  // error and take half of the calls. One process per port.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  // Clients ping every kClientKeepaliveMs to find dead paths (common/coordinator_channel.cc);
  // gRPC's server would call that abuse and close them. Its own pings free the calls (watch
  // streams, long-polls) of clients that vanished without a reset.
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
                             kClientKeepaliveMs - 1000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 20000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
  builder.RegisterService(s->job_service_.get());
  builder.RegisterService(s->worker_service_.get());
  builder.RegisterService(s->function_service_.get());
  builder.RegisterService(s->auth_service_.get());
  builder.SetMaxReceiveMessageSize(kMaxMessageBytes);
  builder.SetMaxSendMessageSize(kMaxMessageBytes);
  builder.experimental().SetInterceptorCreators(RpcTimers(*s->metrics_));
  s->server_ = builder.BuildAndStart();
  if (s->server_ == nullptr || s->port_ == 0) {
    return absl::UnavailableError(absl::StrCat(
        "--listen: cannot serve on ", config.listen,
        ": the port is in use (another coordinator?) or the address is not this host's"));
  }
  s->address_ = DialAddress(config.listen, s->port_);
  s->store_->StartServing();
  RETURN_IF_ERROR(s->StartHttp(config));
  return s;
}

absl::Status CoordinatorServer::StartSecurity(const CoordinatorConfig& config, Clock& clock) {
  ASSIGN_OR_RETURN(
      const bool required,
      AuthRequired(config.security, {config.listen, config.http_listen, config.metrics_listen}));
  ASSIGN_OR_RETURN(tokens_, TokenStore::Open(config.data_dir, config.sync, clock));
  ASSIGN_OR_RETURN(const std::string admin_file, MakeFirstAdminToken(*tokens_, config.data_dir));
  if (!admin_file.empty()) LOG(INFO) << "the first admin token is in " << admin_file << " (0600)";
  ASSIGN_OR_RETURN(audit_, AuditLog::Open(config.data_dir + "/audit.log", clock));
  authorizer_ = std::make_unique<Authorizer>(
      *tokens_, Authorizer::Options{required, !config.security.tls_client_ca.empty()});
  LOG(INFO) << (required
                    ? "auth: every call needs a token (--auth=required)"
                    : "auth: off — every caller may do anything (loopback only, or --auth=off)");
  return absl::OkStatus();
}

absl::StatusOr<v1::CreateTokenResponse> CoordinatorServer::MintToken(v1::Role role,
                                                                     const std::string& name) {
  absl::StatusOr<v1::CreateTokenResponse> made = tokens_->Create(role, name);
  audit_->Record(Principal{"", "in-process", v1::ROLE_ADMIN}, "token.create",
                 made.ok() ? made->info().id() : "", made.status(),
                 {{"name", name}, {"token_role", RoleName(role)}});
  return made;
}

void CoordinatorServer::RevokeMinted(const std::string& id) {
  absl::StatusOr<v1::TokenInfo> revoked = tokens_->Revoke(id);
  audit_->Record(Principal{"", "in-process", v1::ROLE_ADMIN}, "token.revoke", id, revoked.status());
}

absl::Status CoordinatorServer::StartHttp(const CoordinatorConfig& config) {
  // Tokens as on gRPC, and its certificate too.
  HttpServer::Options http;
  http.guard = ReadGuard(*authorizer_);
  http.tls_cert = config.security.tls_cert;
  http.tls_key = config.security.tls_key;
  if (!config.http_listen.empty()) {
    ASSIGN_OR_RETURN(dashboard_, DashboardServer::Start(
                                     config.http_listen, *manager_, *clock_,
                                     [this] {
                                       RefreshMetrics();
                                       return MetricsResponse(*registry_);
                                     },
                                     http));
  }
  if (!config.metrics_listen.empty()) {
    ASSIGN_OR_RETURN(metrics_server_,
                     StartMetricsServer(
                         config.metrics_listen, *registry_, [this] { RefreshMetrics(); }, http));
  }
  return absl::OkStatus();
}

void CoordinatorServer::RefreshMetrics() {
  {
    absl::MutexLock lock(&hook_mu_);
    if (scrape_hook_) scrape_hook_();
  }
  const v1::ListWorkersResponse workers = manager_->ListWorkers();
  metrics_->Refresh(store_->Totals(), store_->Gauges(kEndedJobSeries),
                    {workers.workers().begin(), workers.workers().end()}, clock_->Now(),
                    manager_->lease_ttl());
}

CoordinatorServer::~CoordinatorServer() { Shutdown(); }

void CoordinatorServer::Shutdown(absl::Duration grace) {
  if (shut_down_) return;
  shut_down_ = true;
  // Parked lease calls and open watch streams must finish before the server can.
  // The HTTP servers read the manager and the store: they stop first.
  dashboard_.reset();
  metrics_server_.reset();
  if (manager_) manager_->Shutdown();
  if (hub_) hub_->Stop();
  if (server_) server_->Shutdown(std::chrono::system_clock::now() + absl::ToChronoSeconds(grace));
  splitter_.reset();
  fan_in_.reset();
  hub_.reset();
  server_.reset();
  job_service_.reset();
  worker_service_.reset();
  function_service_.reset();
  auth_service_.reset();
  manager_.reset();
  functions_.reset();
  store_.reset();
}

}  // namespace fanout::coordinator
