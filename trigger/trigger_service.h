// A whole trigger — webhook, schedules, watches, queue consumers, reconciliation — from one
// config, submitting to one coordinator. fanout-trigger runs one; `fanout dev --trigger_config`
// runs the same in its process.
#ifndef FANOUT_TRIGGER_TRIGGER_SERVICE_H_
#define FANOUT_TRIGGER_TRIGGER_SERVICE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "s3/s3_client.h"
#include "trigger/config.h"
#include "trigger/job_submitter.h"
#include "trigger/rule_sources.h"
#include "trigger/trigger_metrics.h"
#include "trigger/webhook_handler.h"

namespace fanout::trigger {

// The webhook over HTTPS (both PEM files), or plain HTTP (neither).
struct WebhookTls {
  std::string tls_cert, tls_key;
};

class TriggerService {
 public:
  // INVALID_ARGUMENT for what the config or environment lacks (reconcile without AWS_* settings,
  // an unwatchable directory); UNAVAILABLE when the webhook cannot listen.
  // Metrics go to `registry` (one of its own when null).
  static absl::StatusOr<std::unique_ptr<TriggerService>> Start(
      TriggerConfig config, const std::string& coordinator, const std::string& http_listen,
      std::shared_ptr<prometheus::Registry> registry = nullptr, const ClientSecurity& security = {},
      const WebhookTls& tls = {});
  ~TriggerService();  // stops the sources, then the webhook

  int port() const { return server_->port(); }  // the webhook's
  const TriggerConfig& config() const { return config_; }
  const WebhookHandler::Counts& counts() const { return handler_.counts(); }
  prometheus::Registry& registry() { return *registry_; }
  void set_batch_submits(bool on) { submitter_.set_batch_calls(on); }
  // Brings the scrape-time metrics (the webhook's tallies) up to date.
  void RefreshMetrics() { metrics_.RefreshWebhook(handler_.counts()); }

 private:
  TriggerService(TriggerConfig config, const std::string& coordinator,
                 std::shared_ptr<prometheus::Registry> registry, const ClientSecurity& security)
      : config_(std::move(config)),
        registry_(std::move(registry)),
        metrics_(*registry_),
        submitter_(coordinator, security),
        metered_(submitter_, metrics_),
        handler_(config_, metered_) {}

  const TriggerConfig config_;
  const std::shared_ptr<prometheus::Registry> registry_;
  TriggerMetrics metrics_;
  std::unique_ptr<s3::S3Client> s3_;
  GrpcJobSubmitter submitter_;
  MeteredSubmitter metered_;  // every source submits through it
  WebhookHandler handler_;
  std::unique_ptr<HttpServer> server_;  // the webhook (WebhookHandler::Serve)
  std::unique_ptr<RuleSources> sources_;
};

}  // namespace fanout::trigger

#endif  // FANOUT_TRIGGER_TRIGGER_SERVICE_H_
