// fanout-trigger: flags and wiring only. Stateless: translates S3 event notifications posted to its
// webhook into jobs (one per event and matching rule, deduplicated by the coordinator), and
// reconciles missed events by listing the rules' buckets.
#include <cstdlib>
#include <iostream>
#include <memory>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "common/clock.h"
#include "common/process_util.h"
#include "glog/logging.h"
#include "s3/s3_client.h"
#include "trigger/amqp_consumer.h"
#include "trigger/config.h"
#include "trigger/dir_watcher.h"
#include "trigger/job_submitter.h"
#include "trigger/nats_consumer.h"
#include "trigger/reconciler.h"
#include "trigger/redis_consumer.h"
#include "trigger/schedule_runner.h"
#include "trigger/webhook_server.h"

ABSL_FLAG(std::string, config, "", "the rules: a JSON file (see examples/triggers/)");
ABSL_FLAG(std::string, coordinator, "",
          "coordinator host:port (default: $FANOUT_COORDINATOR, then 127.0.0.1:7070)");
ABSL_FLAG(std::string, http_listen, "127.0.0.1:7071",
          "where the webhook listens for S3 event notifications (port 0: any free port)");
ABSL_FLAG(std::string, port_file, "", "write the webhook's bound port here once serving");

namespace {

std::string Coordinator() {
  std::string address = absl::GetFlag(FLAGS_coordinator);
  if (!address.empty()) return address;
  const char* env = std::getenv("FANOUT_COORDINATOR");
  return env != nullptr && *env != '\0' ? env : "127.0.0.1:7070";
}

bool NeedsS3(const fanout::trigger::TriggerConfig& config) {
  for (const auto& rule : config.rules) {
    if (rule.reconcile.enabled) return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  fanout::PrepareServerProcess(argv);
  absl::SetProgramUsageMessage(
      "fanout-trigger --config=FILE [--coordinator=HOST:PORT] [--http_listen=HOST:PORT] "
      "[--port_file=FILE]\nTurns S3 event notifications into fanout jobs, each event once.");
  absl::ParseCommandLine(argc, argv);
  google::InitGoogleLogging(argv[0]);
  FLAGS_logtostderr = true;

  absl::StatusOr<fanout::trigger::TriggerConfig> config =
      fanout::trigger::LoadTriggerConfig(absl::GetFlag(FLAGS_config));
  if (!config.ok()) {
    std::cerr << "fanout-trigger: config: " << config.status().message() << "\n";
    return 2;
  }
  std::unique_ptr<fanout::s3::S3Client> s3;
  if (NeedsS3(*config)) {
    absl::StatusOr<fanout::s3::S3Config> s3_config = fanout::s3::S3ConfigFromEnvironment();
    if (!s3_config.ok()) {
      std::cerr << "fanout-trigger: reconcile needs S3: " << s3_config.status().message() << "\n";
      return 2;
    }
    s3 = std::make_unique<fanout::s3::S3Client>(*s3_config);
  }
  fanout::trigger::GrpcJobSubmitter submitter(Coordinator());
  fanout::trigger::WebhookHandler handler(*config, submitter);
  absl::StatusOr<std::unique_ptr<fanout::trigger::WebhookServer>> server =
      fanout::trigger::WebhookServer::Start(absl::GetFlag(FLAGS_http_listen), handler,
                                            config->max_body_bytes);
  if (!server.ok()) {
    std::cerr << "fanout-trigger: " << server.status().message() << "\n";
    return 3;
  }
  std::unique_ptr<fanout::trigger::Reconciler> reconciler;
  if (s3 != nullptr) {
    reconciler = std::make_unique<fanout::trigger::Reconciler>(*config, submitter, *s3);
    reconciler->Start();
  }
  std::vector<std::unique_ptr<fanout::trigger::ScheduleRunner>> schedules;
  for (const fanout::trigger::Rule& rule : config->rules) {
    if (rule.source != "schedule") continue;
    // Parsed once already when the config was read: it is valid.
    auto cron = fanout::trigger::CronSchedule::Parse(rule.schedule.cron, rule.schedule.time_zone);
    schedules.push_back(std::make_unique<fanout::trigger::ScheduleRunner>(
        rule, *cron, fanout::RealClock::Get(), submitter));
    schedules.back()->Start();
  }
  std::vector<std::unique_ptr<fanout::trigger::DirWatcher>> watchers;
  for (const fanout::trigger::Rule& rule : config->rules) {
    if (rule.source != "directory") continue;
    watchers.push_back(std::make_unique<fanout::trigger::DirWatcher>(rule, submitter));
    if (absl::Status s = watchers.back()->Start(); !s.ok()) {
      std::cerr << "fanout-trigger: rule '" << rule.name << "': " << s.message() << "\n";
      return 2;
    }
  }
  std::vector<std::unique_ptr<fanout::trigger::RedisConsumer>> consumers;
  std::vector<std::unique_ptr<fanout::trigger::NatsConsumer>> nats_consumers;
  std::vector<std::unique_ptr<fanout::trigger::AmqpConsumer>> amqp_consumers;
  for (const fanout::trigger::Rule& rule : config->rules) {
    if (rule.source == "redis") {
      consumers.push_back(std::make_unique<fanout::trigger::RedisConsumer>(rule, submitter));
      consumers.back()->Start();
    } else if (rule.source == "nats") {
      nats_consumers.push_back(std::make_unique<fanout::trigger::NatsConsumer>(rule, submitter));
      nats_consumers.back()->Start();
    } else if (rule.source == "amqp") {
      amqp_consumers.push_back(std::make_unique<fanout::trigger::AmqpConsumer>(rule, submitter));
      amqp_consumers.back()->Start();
    }
  }
  if (const std::string file = absl::GetFlag(FLAGS_port_file); !file.empty()) {
    if (absl::Status s = fanout::WritePortFile(file, (*server)->port()); !s.ok()) {
      std::cerr << "fanout-trigger: --port_file: " << s.message() << "\n";
      return 2;
    }
  }
  LOG(INFO) << "webhook on port " << (*server)->port() << ", " << config->rules.size()
            << " rules from " << config->path << ", coordinator " << Coordinator();
  const int signal = fanout::WaitForTerminationSignal();
  LOG(INFO) << "signal " << signal << ": stopping";
  schedules.clear();
  watchers.clear();
  consumers.clear();
  nats_consumers.clear();
  amqp_consumers.clear();
  reconciler.reset();
  server->reset();
  const auto& c = handler.counts();
  LOG(INFO) << "posts " << c.received << ", jobs " << c.accepted << ", duplicates " << c.duplicates
            << ", ignored " << c.ignored << ", rejected " << c.rejected;
  return 0;
}
