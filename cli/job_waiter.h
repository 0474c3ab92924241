// Follows a job through WatchJob until it ends, drawing progress; reconnects when the stream breaks
// (a coordinator restart does not end a `--wait`).
#ifndef FANOUT_CLI_JOB_WAITER_H_
#define FANOUT_CLI_JOB_WAITER_H_

#include <string>

#include "absl/status/statusor.h"
#include "cli/client.h"
#include "cli/progress_bar.h"

namespace fanout::cli {

// `bar` may be null (nothing drawn).
absl::StatusOr<v1::Job> WaitForJob(Client& client, const std::string& job_id, ProgressBar* bar);

}  // namespace fanout::cli

#endif  // FANOUT_CLI_JOB_WAITER_H_
