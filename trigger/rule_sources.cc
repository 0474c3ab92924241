#include "trigger/rule_sources.h"

#include "absl/strings/str_cat.h"
#include "common/clock.h"
#include "trigger/amqp_consumer.h"
#include "trigger/dir_watcher.h"
#include "trigger/nats_consumer.h"
#include "trigger/reconciler.h"
#include "trigger/redis_consumer.h"
#include "trigger/schedule_runner.h"

namespace fanout::trigger {
namespace {

template <typename Source>
std::shared_ptr<void> Started(std::unique_ptr<Source> source) {
  source->Start();
  return std::shared_ptr<void>(std::move(source));
}

absl::StatusOr<std::shared_ptr<void>> StartRule(const Rule& rule, JobSubmitter& submitter) {
  if (rule.source == "schedule") {
    // Parsed once already when the config was read: it is valid.
    absl::StatusOr<CronSchedule> cron =
        CronSchedule::Parse(rule.schedule.cron, rule.schedule.time_zone);
    if (!cron.ok()) return cron.status();
    return Started(std::make_unique<ScheduleRunner>(rule, *cron, RealClock::Get(), submitter));
  }
  if (rule.source == "directory") {
    auto watcher = std::make_unique<DirWatcher>(rule, submitter);
    if (absl::Status s = watcher->Start(); !s.ok()) return s;
    return std::shared_ptr<void>(std::move(watcher));
  }
  if (rule.source == "redis") return Started(std::make_unique<RedisConsumer>(rule, submitter));
  if (rule.source == "nats") return Started(std::make_unique<NatsConsumer>(rule, submitter));
  if (rule.source == "amqp") return Started(std::make_unique<AmqpConsumer>(rule, submitter));
  return std::shared_ptr<void>();  // webhook rules: the webhook server feeds them
}

}  // namespace

absl::StatusOr<std::unique_ptr<RuleSources>> RuleSources::Start(const TriggerConfig& config,
                                                                JobSubmitter& submitter,
                                                                const s3::S3Client* s3) {
  std::unique_ptr<RuleSources> sources(new RuleSources());
  for (const Rule& rule : config.rules) {
    absl::StatusOr<std::shared_ptr<void>> started = StartRule(rule, submitter);
    if (!started.ok()) {
      return absl::Status(started.status().code(),
                          absl::StrCat("rule '", rule.name, "': ", started.status().message()));
    }
    if (*started != nullptr) sources->running_.push_back(std::move(*started));
  }
  if (s3 != nullptr) {
    sources->running_.push_back(Started(std::make_unique<Reconciler>(config, submitter, *s3)));
  }
  return sources;
}

RuleSources::~RuleSources() {
  while (!running_.empty()) running_.pop_back();
}

}  // namespace fanout::trigger
