// Every flag of the `fanout` CLI. Subcommands share one flag namespace; each uses the ones it
// needs.
#ifndef FANOUT_CLI_FLAGS_H_
#define FANOUT_CLI_FLAGS_H_

#include <string>

#include "absl/flags/declare.h"
#include "absl/time/time.h"

ABSL_DECLARE_FLAG(std::string, coordinator);
ABSL_DECLARE_FLAG(bool, json);
ABSL_DECLARE_FLAG(std::string, role);
ABSL_DECLARE_FLAG(std::string, name);
// function create|update, invoke
ABSL_DECLARE_FLAG(std::string, runtime);
ABSL_DECLARE_FLAG(std::string, handler);
ABSL_DECLARE_FLAG(std::string, code);
ABSL_DECLARE_FLAG(std::string, description);
ABSL_DECLARE_FLAG(std::string, declare_params);
ABSL_DECLARE_FLAG(std::string, payload);
// logs
ABSL_DECLARE_FLAG(int64_t, task);
ABSL_DECLARE_FLAG(bool, follow);
// submit
ABSL_DECLARE_FLAG(std::string, function);
ABSL_DECLARE_FLAG(std::string, source);
ABSL_DECLARE_FLAG(int, batch_size);
ABSL_DECLARE_FLAG(int, max_attempts);
ABSL_DECLARE_FLAG(int, max_concurrency);
ABSL_DECLARE_FLAG(int, priority);
ABSL_DECLARE_FLAG(std::string, results);
ABSL_DECLARE_FLAG(std::string, reduce);
ABSL_DECLARE_FLAG(std::string, idempotency_key);
ABSL_DECLARE_FLAG(absl::Duration, timeout);
ABSL_DECLARE_FLAG(absl::Duration, backoff_initial);
ABSL_DECLARE_FLAG(absl::Duration, backoff_max);
ABSL_DECLARE_FLAG(double, tolerated_failure_percent);
ABSL_DECLARE_FLAG(int, tolerated_failure_count);
ABSL_DECLARE_FLAG(bool, wait);
ABSL_DECLARE_FLAG(int, max_stalled_continuations);
ABSL_DECLARE_FLAG(std::string, split_bytes);
ABSL_DECLARE_FLAG(int, memory_mb);
// cost
ABSL_DECLARE_FLAG(bool, free_tier);
ABSL_DECLARE_FLAG(double, gb_second_price);
ABSL_DECLARE_FLAG(double, request_price);
ABSL_DECLARE_FLAG(int64_t, requests);
ABSL_DECLARE_FLAG(absl::Duration, duration);
// redrive
ABSL_DECLARE_FLAG(bool, from_scratch);
// list
ABSL_DECLARE_FLAG(int, limit);

#endif  // FANOUT_CLI_FLAGS_H_
