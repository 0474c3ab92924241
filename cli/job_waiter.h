// Follows a job through WatchJob until it ends, drawing progress; reconnects when the stream breaks
// after the job was seen (a coordinator restart does not end a `--wait`). A coordinator never
// reached, or an answer that another try cannot change (no such job, denied), ends it.
#ifndef FANOUT_CLI_JOB_WAITER_H_
#define FANOUT_CLI_JOB_WAITER_H_

#include <string>

#include "absl/status/statusor.h"
#include "cli/client.h"
#include "cli/progress_bar.h"

namespace fanout::cli {

// `bar` may be null (nothing drawn). When it gives up, the call's status is in `*rpc_error` (for
// Fail(client, ...), which tells an unreachable coordinator from a refusal).
absl::StatusOr<v1::Job> WaitForJob(Client& client, const std::string& job_id, ProgressBar* bar,
                                   grpc::Status* rpc_error);

}  // namespace fanout::cli

#endif  // FANOUT_CLI_JOB_WAITER_H_
