#include "trigger/trigger_service.h"

#include "absl/strings/str_cat.h"

namespace fanout::trigger {
namespace {

// The S3 client reconciliation lists with, from the AWS_* variables; null if no rule reconciles.
absl::StatusOr<std::unique_ptr<s3::S3Client>> ReconcileS3(const TriggerConfig& config) {
  for (const Rule& rule : config.rules) {
    if (!rule.reconcile.enabled) continue;
    absl::StatusOr<s3::S3Config> s3 = s3::S3ConfigFromEnvironment();
    if (!s3.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("rule '", rule.name, "': reconcile needs S3: ", s3.status().message()));
    }
    return std::make_unique<s3::S3Client>(*s3);
  }
  return nullptr;
}

}  // namespace

absl::StatusOr<std::unique_ptr<TriggerService>> TriggerService::Start(
    TriggerConfig config, const std::string& coordinator, const std::string& http_listen,
    std::shared_ptr<prometheus::Registry> registry, const ClientSecurity& security,
    const WebhookTls& tls) {
  if (registry == nullptr) registry = std::make_shared<prometheus::Registry>();
  std::unique_ptr<TriggerService> service(
      new TriggerService(std::move(config), coordinator, std::move(registry), security));
  absl::StatusOr<std::unique_ptr<s3::S3Client>> s3 = ReconcileS3(service->config_);
  if (!s3.ok()) return s3.status();
  service->s3_ = std::move(*s3);
  absl::StatusOr<std::unique_ptr<HttpServer>> server = HttpServer::Start(
      http_listen, "http_listen",
      [handler = &service->handler_](const HttpRequest& r) { return handler->Serve(r); },
      {.threads = 16,
       .max_body_bytes = service->config_.max_body_bytes,
       .tls_cert = tls.tls_cert,
       .tls_key = tls.tls_key});
  if (!server.ok()) return server.status();
  service->server_ = std::move(*server);
  absl::StatusOr<std::unique_ptr<RuleSources>> sources =
      RuleSources::Start(service->config_, service->metered_, service->s3_.get());
  if (!sources.ok()) return sources.status();
  service->sources_ = std::move(*sources);
  return service;
}

TriggerService::~TriggerService() {
  sources_.reset();
  server_.reset();
}

}  // namespace fanout::trigger
