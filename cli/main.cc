// fanout: the command-line client. Parses the subcommand and flags, then hands off to commands.h;
// `fanout dev` execs the fanout-dev binary.
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "cli/client.h"
#include "cli/commands.h"
#include "cli/exec_dev.h"

namespace {

constexpr char kUsage[] = R"(fanout COMMAND [flags]

  submit  --function=builtin:NAME|NAME[:VERSION] --source=SPEC [--batch_size=N] [--max_attempts=N]
          [--idempotency_key=K] [--param KEY=VALUE]... [--timeout=300s] [--max_concurrency=N]
          [--tolerated_failure_count=N] [--tolerated_failure_percent=P]
          [--max_stalled_continuations=3] [--split_bytes=64MiB] [--memory_mb=128] [--wait] [--json]
          [--results=store|jsonl:PATH|s3://bucket/prefix] [--reduce=builtin:NAME]
  function create NAME --code=DIR|FILE.zip|FILE.tar.gz [--runtime=provided|exec] [--handler=H]
          [--memory_mb=128] [--timeout=300s] [--env K=V]... [--secret_env K=V]...
          [--description=..] [--json]
  function update NAME --code=... [same flags]      a new immutable version
  function list | get NAME[:VERSION] | versions NAME | delete NAME
  invoke NAME[:VERSION] [--payload=JSON|@FILE] [--json]
                          call a function and print its response (exit 1 on its error)
  status JOB [--json]     state and task counts
  watch JOB [--json]      progress bar until the job ends; exit 0 only if it succeeded
  list [--json]           recent jobs, newest first
  cancel JOB              stop a job: pending tasks are cancelled, running ones told to stop
  update JOB --max_concurrency=N
                          change a running job's concurrency limit (0: no limit)
  redrive JOB [--from_scratch]
                          re-queue a finished job's dead and failed tasks (resuming from their
                          checkpoints unless --from_scratch), any time later
  results JOB             one JSON line per item: {"item", "state", "result" | "error"}
  logs JOB [--task=N] [--follow] [--json]
                          what functions printed, per attempt (the last 4 KiB of each)
  workers [--json]        workers and their slots
  token create --role=admin|submit|read|worker|trigger [--name=N]
                          a bearer token, printed once (an admin's call)
  token list | revoke ID  the coordinator's tokens; revoking one refuses it from then on
  cost JOB [--json] [--free_tier] [--gb_second_price=USD] [--request_price=USD_PER_MILLION]
                          the job's metered requests and GB-seconds, priced as AWS Lambda would
  cost --requests=N --duration=D --memory_mb=M [--free_tier]
                          the same for a workload you describe
  dev [--data_dir=.fanout] [--workers=2] [--slots=4] [--listen=127.0.0.1:7070]
      [--http_listen=127.0.0.1:7080]
      [--trigger_config=FILE] [--trigger_listen=127.0.0.1:7071]
                          coordinator + workers (+ a trigger) in one process

Every command takes --coordinator=HOST:PORT (default $FANOUT_COORDINATOR, then 127.0.0.1:7070),
the token of $FANOUT_TOKEN or --token_file=FILE, and --tls_ca=PEM (or $FANOUT_TLS_CA) for TLS.
Sources: range:A-B (both ends included), an inline JSON list '[...]' (or @FILE holding one),
jsonl:PATH, csv:PATH (one item per line / record), dir:PATH (every file below it),
s3://bucket/prefix (every object), s3-manifest://bucket/key (a JSONL or .csv object).
S3 settings come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL.
--results: when the job ends (succeeded, failed or cancelled) the coordinator writes a result
manifest, a failed-item manifest and manifest.json there; --reduce runs once over them if the job
succeeded (within its tolerated failures), and --wait follows it too.
)";

// absl flags keep only the last value of a repeated flag; --param, --env and --secret_env may
// repeat, so take them out first.
std::vector<char*> ExtractRepeated(int argc, char** argv, std::vector<std::string>* params,
                                   std::vector<fanout::cli::EnvFlag>* env) {
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    const std::string arg = argv[i];
    if ((arg == "--param" || arg == "-param") && i + 1 < argc) {
      params->push_back(argv[++i]);
    } else if (arg.rfind("--param=", 0) == 0) {
      params->push_back(arg.substr(8));
    } else if ((arg == "--secret_env" || arg == "-secret_env") && i + 1 < argc) {
      env->push_back({argv[++i], true});
    } else if (arg.rfind("--secret_env=", 0) == 0) {
      env->push_back({arg.substr(13), true});
    } else if ((arg == "--env" || arg == "-env") && i + 1 < argc) {
      env->push_back({argv[++i], false});
    } else if (arg.rfind("--env=", 0) == 0) {
      env->push_back({arg.substr(6), false});
    } else {
      rest.push_back(argv[i]);
    }
  }
  return rest;
}

}  // namespace

int main(int argc, char** argv) {
  // Before any flag is parsed: fanout-dev has flags of its own.
  if (fanout::cli::IsDevCommand(argc, argv)) return fanout::cli::ExecDev(argc, argv);
  std::vector<std::string> params;
  std::vector<fanout::cli::EnvFlag> env;
  std::vector<char*> args = ExtractRepeated(argc, argv, &params, &env);
  absl::SetProgramUsageMessage(kUsage);
  std::vector<char*> positional =
      absl::ParseCommandLine(static_cast<int>(args.size()), args.data());
  if (positional.size() < 2) {
    std::cerr << kUsage;
    return fanout::cli::kExitUsage;
  }
  const std::string command = positional[1];
  auto job_arg = [&](std::string* job_id) {
    if (positional.size() != 3) {
      std::cerr << "fanout " << command << ": expected one JOB argument\n";
      return false;
    }
    *job_id = positional[2];
    return true;
  };
  std::string job_id;
  if (command == "submit") return fanout::cli::SubmitCommand(params);
  if (command == "function") {
    return fanout::cli::FunctionCommand(
        std::vector<std::string>(positional.begin() + 2, positional.end()), env);
  }
  if (command == "token") {
    return fanout::cli::TokenCommand(
        std::vector<std::string>(positional.begin() + 2, positional.end()));
  }
  if (command == "invoke") {
    if (positional.size() != 3) {
      std::cerr << "fanout invoke: expected one NAME[:VERSION] argument\n";
      return fanout::cli::kExitUsage;
    }
    return fanout::cli::InvokeCommand(positional[2]);
  }
  if (command == "list") return fanout::cli::ListCommand();
  if (command == "workers") return fanout::cli::WorkersCommand();
  if (command == "status") return job_arg(&job_id) ? fanout::cli::StatusCommand(job_id) : 2;
  if (command == "watch") return job_arg(&job_id) ? fanout::cli::WatchCommand(job_id) : 2;
  if (command == "cancel") return job_arg(&job_id) ? fanout::cli::CancelCommand(job_id) : 2;
  if (command == "update") return job_arg(&job_id) ? fanout::cli::UpdateCommand(job_id) : 2;
  if (command == "redrive") return job_arg(&job_id) ? fanout::cli::RedriveCommand(job_id) : 2;
  if (command == "cost") {
    if (positional.size() > 3) {
      std::cerr << "fanout cost: expected at most one JOB argument\n";
      return fanout::cli::kExitUsage;
    }
    return fanout::cli::CostCommand(positional.size() == 3 ? positional[2] : "");
  }
  if (command == "results") return job_arg(&job_id) ? fanout::cli::ResultsCommand(job_id) : 2;
  if (command == "logs") return job_arg(&job_id) ? fanout::cli::LogsCommand(job_id) : 2;
  std::cerr << "fanout: unknown command '" << command << "'\n\n" << kUsage;
  return fanout::cli::kExitUsage;
}
