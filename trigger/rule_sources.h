// Everything that feeds a trigger's rules besides the webhook: schedules, directory watches,
// queue consumers (Redis, NATS, AMQP) and reconciliation scans — started together from a config
// and stopped together, so that main only wires.
#ifndef FANOUT_TRIGGER_RULE_SOURCES_H_
#define FANOUT_TRIGGER_RULE_SOURCES_H_

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "s3/s3_client.h"
#include "trigger/config.h"
#include "trigger/job_submitter.h"

namespace fanout::trigger {

class RuleSources {
 public:
  // `s3` is needed when a rule reconciles (else may be null). An error names the rule.
  static absl::StatusOr<std::unique_ptr<RuleSources>> Start(const TriggerConfig& config,
                                                            JobSubmitter& submitter,
                                                            const s3::S3Client* s3);
  ~RuleSources();  // stops them, the last started first

 private:
  RuleSources() = default;
  std::vector<std::shared_ptr<void>> running_;  // each owns one source (its destructor stops it)
};

}  // namespace fanout::trigger

#endif  // FANOUT_TRIGGER_RULE_SOURCES_H_
