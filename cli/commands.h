// The `fanout` subcommands. Each returns the process exit code (client.h).
#ifndef FANOUT_CLI_COMMANDS_H_
#define FANOUT_CLI_COMMANDS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace fanout::cli {

// `params` are the --param KEY=VALUE arguments, in order.
int SubmitCommand(const std::vector<std::string>& params);
int StatusCommand(const std::string& job_id);
// Progress bar until the job ends; exit 0 only if it succeeded.
int WatchCommand(const std::string& job_id);
int ListCommand();
int CancelCommand(const std::string& job_id);
// Changes a running job's --max_concurrency.
int UpdateCommand(const std::string& job_id);
// Re-queues a finished job's dead and failed tasks; --from_scratch drops their checkpoints.
int RedriveCommand(const std::string& job_id);
int ResultsCommand(const std::string& job_id);
int WorkersCommand();
// A job's metered usage and its price on AWS Lambda; an estimate from --requests etc. when
// `job_id` is empty.
int CostCommand(const std::string& job_id);
// One --env or --secret_env K=V argument.
struct EnvFlag {
  std::string pair;
  bool secret = false;
};
// `fanout function SUB [NAME]`; `env` are the --env and --secret_env arguments, in order.
int FunctionCommand(const std::vector<std::string>& args, const std::vector<EnvFlag>& env);
// A synchronous call of a function (a one-item job): prints its response; exit 1 on its error.
// `params` are the --param KEY=VALUE arguments, as submit takes them.
int InvokeCommand(const std::string& function, const std::vector<std::string>& params);
// --param KEY=VALUE pairs into a JSON object; VALUE is taken as JSON when it parses (numbers,
// booleans, objects), else as a string.
absl::StatusOr<std::string> ParamsJson(const std::vector<std::string>& params);
// `fanout token create|list|revoke`.
int TokenCommand(const std::vector<std::string>& args);
// What users' functions printed, per attempt; --task=N, --follow.
int LogsCommand(const std::string& job_id);

}  // namespace fanout::cli

#endif  // FANOUT_CLI_COMMANDS_H_
