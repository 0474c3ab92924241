// The error taxonomy every runtime reports in (proto ErrorCode), and its one mapping to absl/gRPC
// status codes and HTTP statuses. Handlers return absl::Status; the code they pick decides retry or
// not.
#ifndef FANOUT_COMMON_ERRORS_H_
#define FANOUT_COMMON_ERRORS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "proto/fanout.pb.h"

namespace fanout {

// kUnavailable, kAborted, kResourceExhausted, kInternal, kUnknown, kDataLoss -> RETRYABLE;
// kDeadlineExceeded -> TIMEOUT; kCancelled -> CANCELLED; kInvalidArgument, kOutOfRange ->
// INVALID_INPUT; everything else (kFailedPrecondition, kNotFound, kPermissionDenied, ...) -> FATAL.
v1::ErrorCode ErrorCodeFromStatus(const absl::Status& status);

v1::TaskError TaskErrorFromStatus(const absl::Status& status);

absl::StatusCode ToStatusCode(v1::ErrorCode code);

int ToHttpStatus(v1::ErrorCode code);

// The gRPC status code name an error maps to: "UNAVAILABLE", "FAILED_PRECONDITION", ...
absl::string_view GrpcCodeName(v1::ErrorCode code);

// Stable lower-case names for CLI and JSON output: "retryable", "fatal", "timeout", "cancelled",
// "invalid_input".
absl::string_view ErrorCodeName(v1::ErrorCode code);

// Whether a task failing with `code` is tried again (within its attempt budget).
bool IsRetryable(v1::ErrorCode code);

// Whether a failed call between fanout's own processes may go through unchanged when made again
// (the peer away, slow, restarting, or not letting the caller in yet). Unlike a handler's error,
// RESOURCE_EXHAUSTED (over the message limit), INTERNAL (a message the peer could not parse) and
// the refusals of bad input are not: the call itself must change, or it loops forever.
bool IsTransientCallFailure(absl::StatusCode code);

// Lower-case names of task and job states: "pending", "running", "succeeded", ...
absl::string_view TaskStateName(v1::TaskState state);
absl::string_view JobStateName(v1::JobState state);

}  // namespace fanout

#endif  // FANOUT_COMMON_ERRORS_H_
