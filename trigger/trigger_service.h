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
#include "trigger/webhook_handler.h"
#include "trigger/webhook_server.h"

namespace fanout::trigger {

class TriggerService {
 public:
  // INVALID_ARGUMENT for what the config or environment lacks (reconcile without AWS_* settings,
  // an unwatchable directory); UNAVAILABLE when the webhook cannot listen.
  static absl::StatusOr<std::unique_ptr<TriggerService>> Start(TriggerConfig config,
                                                               const std::string& coordinator,
                                                               const std::string& http_listen);
  ~TriggerService();  // stops the sources, then the webhook

  int port() const { return server_->port(); }  // the webhook's
  const TriggerConfig& config() const { return config_; }
  const WebhookHandler::Counts& counts() const { return handler_.counts(); }

 private:
  TriggerService(TriggerConfig config, const std::string& coordinator)
      : config_(std::move(config)), submitter_(coordinator), handler_(config_, submitter_) {}

  const TriggerConfig config_;
  std::unique_ptr<s3::S3Client> s3_;
  GrpcJobSubmitter submitter_;
  WebhookHandler handler_;
  std::unique_ptr<WebhookServer> server_;
  std::unique_ptr<RuleSources> sources_;
};

}  // namespace fanout::trigger

#endif  // FANOUT_TRIGGER_TRIGGER_SERVICE_H_
