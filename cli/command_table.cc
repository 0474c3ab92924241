// Every `fanout` command and the flags it reads (cli/command_line.h).
#include "cli/command_line.h"

namespace fanout::cli {

const std::vector<std::string>& GlobalFlags() {
  static const auto* const kFlags = new std::vector<std::string>{
      "coordinator", "token_file", "tls_ca", "tls_client_cert", "tls_client_key"};
  return *kFlags;
}

const std::vector<CommandSpec>& Commands() {
  static const auto* const kCommands = new std::vector<CommandSpec>{
      {"submit",
       "",
       "start a job: a function over every item of a source",
       {"function",
        "source",
        "param",
        "batch_size",
        "max_attempts",
        "max_concurrency",
        "priority",
        "idempotency_key",
        "timeout",
        "backoff_initial",
        "backoff_max",
        "tolerated_failure_count",
        "tolerated_failure_percent",
        "max_stalled_continuations",
        "split_bytes",
        "memory_mb",
        "results",
        "reduce",
        "wait",
        "json"}},
      {"status", "JOB", "a job's state and task counts", {"json"}},
      {"watch", "JOB", "a progress bar until the job ends; exit 0 only if it succeeded", {"json"}},
      {"list", "", "recent jobs, newest first", {"limit", "json"}},
      {"cancel",
       "JOB",
       "stop a job: pending tasks are cancelled, running ones told to stop",
       {"json"}},
      {"update",
       "JOB",
       "change a running job's concurrency limit (0: no limit)",
       {"max_concurrency", "json"}},
      {"redrive",
       "JOB",
       "re-queue a finished job's dead and failed tasks (from their checkpoints unless "
       "--from_scratch)",
       {"from_scratch", "json"}},
      {"results",
       "JOB",
       "one JSON line per item: {\"item\", \"state\", \"result\" | \"error\"}",
       {"json"}},
      {"logs",
       "JOB",
       "what functions printed, per attempt (the last 4 KiB of each)",
       {"task", "follow", "json"}},
      {"workers", "", "workers and their slots", {"json"}},
      {"function",
       "create|update NAME | list | get NAME[:VERSION] | versions NAME | delete NAME",
       "users' functions: create and update (a new immutable version), list, get, delete",
       {"code", "runtime", "handler", "memory_mb", "timeout", "env", "secret_env", "description",
        "declare_params", "json"}},
      {"invoke",
       "NAME[:VERSION]",
       "call a function once and print its response (exit 1 on its error)",
       {"payload", "param", "json"}},
      {"token",
       "create | list | revoke ID",
       "the coordinator's bearer tokens (an admin's calls); a new one is printed once",
       {"role", "name", "json"}},
      {"cost",
       "[JOB]",
       "a job's metered requests and GB-seconds priced as on AWS Lambda, or an estimate",
       {"json", "free_tier", "gb_second_price", "request_price", "requests", "duration",
        "memory_mb"}},
      {"dev",
       "",
       "a coordinator, workers (and a trigger) in one process: fanout dev --help lists its flags",
       {}},
      {"help", "[COMMAND]", "this overview, or a command's flags", {}},
      {"version", "", "the version and build of this binary", {}},
  };
  return *kCommands;
}

}  // namespace fanout::cli
