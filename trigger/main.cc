// fanout-trigger: flags and wiring only. Stateless: translates S3 event notifications posted to its
// webhook into jobs (one per event and matching rule, deduplicated by the coordinator), and
// reconciles missed events by listing the rules' buckets.
#include <cstdlib>
#include <iostream>
#include <memory>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "common/process_util.h"
#include "glog/logging.h"
#include "s3/s3_client.h"
#include "trigger/config.h"
#include "trigger/job_submitter.h"
#include "trigger/rule_sources.h"
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

// The S3 client reconciliation lists with, from the AWS_* variables; null if no rule reconciles.
absl::StatusOr<std::unique_ptr<fanout::s3::S3Client>> ReconcileS3(
    const fanout::trigger::TriggerConfig& config) {
  for (const auto& rule : config.rules) {
    if (!rule.reconcile.enabled) continue;
    absl::StatusOr<fanout::s3::S3Config> s3 = fanout::s3::S3ConfigFromEnvironment();
    if (!s3.ok())
      return absl::InvalidArgumentError(
          absl::StrCat("reconcile needs S3: ", s3.status().message()));
    return std::make_unique<fanout::s3::S3Client>(*s3);
  }
  return nullptr;
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
  absl::StatusOr<std::unique_ptr<fanout::s3::S3Client>> s3 = ReconcileS3(*config);
  if (!s3.ok()) {
    std::cerr << "fanout-trigger: " << s3.status().message() << "\n";
    return 2;
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
  absl::StatusOr<std::unique_ptr<fanout::trigger::RuleSources>> sources =
      fanout::trigger::RuleSources::Start(*config, submitter, s3->get());
  if (!sources.ok()) {
    std::cerr << "fanout-trigger: " << sources.status().message() << "\n";
    return 2;
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
  sources->reset();
  server->reset();
  const auto& c = handler.counts();
  LOG(INFO) << "posts " << c.received << ", jobs " << c.accepted << ", duplicates " << c.duplicates
            << ", ignored " << c.ignored << ", rejected " << c.rejected;
  return 0;
}
