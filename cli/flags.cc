#include "cli/flags.h"

#include "absl/flags/flag.h"

ABSL_FLAG(std::string, coordinator, "",
          "coordinator host:port (default: $FANOUT_COORDINATOR, then 127.0.0.1:7070)");
ABSL_FLAG(bool, json, false, "print JSON instead of text");
ABSL_FLAG(std::string, role, "", "token create: admin, submit, read, worker or trigger");
ABSL_FLAG(std::string, name, "",
          "token create: what the token is for, shown in lists and the audit log");
ABSL_FLAG(std::string, runtime, "provided",
          "function create: provided (the bundle's bootstrap speaks the Lambda Runtime API) or "
          "exec (--handler is a command: the event on stdin, the result on stdout)");
ABSL_FLAG(std::string, handler, "", "function create: _HANDLER (provided) or the command (exec)");
ABSL_FLAG(std::string, code, "", "function create: the code: a directory, a .zip or a .tar.gz");
ABSL_FLAG(std::string, description, "", "function create: a line about the function");
ABSL_FLAG(std::string, declare_params, "",
          "function create: the parameters its handler reads, NAME:TYPE[:required],... (TYPE: "
          "string, integer, number, boolean, object, array, any); jobs are checked against them");
ABSL_FLAG(std::string, payload, "{}", "invoke: the event, as JSON or @FILE holding it");
ABSL_FLAG(int64_t, task, -1, "logs: only this task's attempts");
ABSL_FLAG(bool, follow, false, "logs: print attempts as they end, until the job does");
ABSL_FLAG(std::string, function, "", "submit: the function, e.g. builtin:sha256");
ABSL_FLAG(std::string, source, "",
          "submit: the items: range:A-B, an inline JSON list '[...]' or @FILE holding one, "
          "jsonl:PATH, csv:PATH, dir:PATH, s3://bucket/prefix or s3-manifest://bucket/key "
          "(fanout help: what each yields)");
ABSL_FLAG(int, batch_size, 1, "submit: items per task");
ABSL_FLAG(int, max_attempts, 3, "submit: attempts per task before it is dead");
ABSL_FLAG(int, max_concurrency, -1,
          "submit, update: tasks of this job running at once (0: no limit; submit's default)");
ABSL_FLAG(int, priority, 0, "submit: higher runs first");
ABSL_FLAG(std::string, results, "",
          "submit: where the result and failed-item manifests go when the job ends: store "
          "(default), jsonl:PATH or s3://bucket/prefix");
ABSL_FLAG(std::string, reduce, "",
          "submit: a function run once with the manifests when the job ends within its tolerated "
          "failures (needs --results=jsonl:... or s3://...)");
ABSL_FLAG(std::string, idempotency_key, "",
          "submit: a retried submit with the same key returns the same job");
ABSL_FLAG(absl::Duration, timeout, absl::ZeroDuration(),
          "submit: time limit per invocation; past it the task continues from its checkpoint "
          "(unset: the function's default on the coordinator, else 300s)");
ABSL_FLAG(int, max_stalled_continuations, 0,
          "submit: fail a task as 'no progress' after this many time-limit continuations in a row "
          "without a new checkpoint (0: the coordinator's default, 3)");
ABSL_FLAG(std::string, split_bytes, "",
          "submit: dir: and s3:// sources: one item per range of this size of each file or object "
          "(e.g. 64MiB)");
ABSL_FLAG(int, memory_mb, 0,
          "submit: the function's memory size in MB, for metering (0: 128); cost: an estimate's "
          "memory size");
ABSL_FLAG(bool, free_tier, false,
          "cost: subtract AWS Lambda's monthly free tier (1M requests, 400,000 GB-s)");
ABSL_FLAG(double, gb_second_price, 0, "cost: USD per GB-second (0: the list price, 0.0000166667)");
ABSL_FLAG(double, request_price, 0, "cost: USD per million requests (0: the list price, 0.20)");
ABSL_FLAG(int64_t, requests, 0, "cost without a JOB: estimate this many invocations");
ABSL_FLAG(absl::Duration, duration, absl::ZeroDuration(),
          "cost without a JOB: each invocation's duration");
ABSL_FLAG(bool, from_scratch, false,
          "redrive: drop the tasks' checkpoints instead of resuming from them");
ABSL_FLAG(absl::Duration, backoff_initial, absl::Seconds(1), "submit: first retry delay");
ABSL_FLAG(absl::Duration, backoff_max, absl::Seconds(60), "submit: longest retry delay");
ABSL_FLAG(double, tolerated_failure_percent, 0,
          "submit: stop and fail the job past this share of failed tasks (0: run all)");
ABSL_FLAG(int, tolerated_failure_count, 0,
          "submit: stop and fail the job past this many failed tasks (0: run all)");
ABSL_FLAG(bool, wait, false,
          "submit: show progress until the job ends; exit 0 only if it succeeded");
ABSL_FLAG(int, limit, 50, "list: how many jobs, newest first");
