#include "common/errors.h"

namespace fanout {

v1::ErrorCode ErrorCodeFromStatus(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return v1::ERROR_CODE_UNSPECIFIED;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kDataLoss:
      return v1::ERROR_RETRYABLE;
    case absl::StatusCode::kDeadlineExceeded:
      return v1::ERROR_TIMEOUT;
    case absl::StatusCode::kCancelled:
      return v1::ERROR_CANCELLED;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
      return v1::ERROR_INVALID_INPUT;
    default:
      return v1::ERROR_FATAL;
  }
}

v1::TaskError TaskErrorFromStatus(const absl::Status& status) {
  v1::TaskError error;
  error.set_code(ErrorCodeFromStatus(status));
  error.set_message(std::string(status.message()));
  return error;
}

absl::StatusCode ToStatusCode(v1::ErrorCode code) {
  switch (code) {
    case v1::ERROR_RETRYABLE:
      return absl::StatusCode::kUnavailable;
    case v1::ERROR_TIMEOUT:
      return absl::StatusCode::kDeadlineExceeded;
    case v1::ERROR_CANCELLED:
      return absl::StatusCode::kCancelled;
    case v1::ERROR_INVALID_INPUT:
      return absl::StatusCode::kInvalidArgument;
    case v1::ERROR_FATAL:
      return absl::StatusCode::kFailedPrecondition;
    default:
      return absl::StatusCode::kUnknown;
  }
}

int ToHttpStatus(v1::ErrorCode code) {
  switch (code) {
    case v1::ERROR_RETRYABLE:
      return 503;
    case v1::ERROR_TIMEOUT:
      return 504;
    case v1::ERROR_CANCELLED:
      return 499;  // client closed request: the nearest thing HTTP has to "cancelled"
    case v1::ERROR_INVALID_INPUT:
      return 400;
    default:
      return 500;
  }
}

absl::string_view GrpcCodeName(v1::ErrorCode code) {
  switch (code) {
    case v1::ERROR_RETRYABLE:
      return "UNAVAILABLE";
    case v1::ERROR_TIMEOUT:
      return "DEADLINE_EXCEEDED";
    case v1::ERROR_CANCELLED:
      return "CANCELLED";
    case v1::ERROR_INVALID_INPUT:
      return "INVALID_ARGUMENT";
    case v1::ERROR_FATAL:
      return "FAILED_PRECONDITION";
    default:
      return "UNKNOWN";
  }
}

absl::string_view ErrorCodeName(v1::ErrorCode code) {
  switch (code) {
    case v1::ERROR_RETRYABLE:
      return "retryable";
    case v1::ERROR_FATAL:
      return "fatal";
    case v1::ERROR_TIMEOUT:
      return "timeout";
    case v1::ERROR_CANCELLED:
      return "cancelled";
    case v1::ERROR_INVALID_INPUT:
      return "invalid_input";
    default:
      return "unknown";
  }
}

bool IsTransientCallFailure(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kUnimplemented:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kDataLoss:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kAlreadyExists:
      return false;
    default:  // kUnavailable, kDeadlineExceeded, kAborted, kCancelled, kUnknown, auth refusals
      return true;
  }
}

bool IsRetryable(v1::ErrorCode code) {
  return code == v1::ERROR_RETRYABLE || code == v1::ERROR_TIMEOUT;
}

absl::string_view TaskStateName(v1::TaskState state) {
  switch (state) {
    case v1::TASK_PENDING:
      return "pending";
    case v1::TASK_LEASED:
      return "running";
    case v1::TASK_SUCCEEDED:
      return "succeeded";
    case v1::TASK_FAILED:
      return "failed";
    case v1::TASK_DEAD:
      return "dead";
    case v1::TASK_CANCELLED:
      return "cancelled";
    default:
      return "unknown";
  }
}

absl::string_view JobStateName(v1::JobState state) {
  switch (state) {
    case v1::JOB_RUNNING:
      return "running";
    case v1::JOB_SUCCEEDED:
      return "succeeded";
    case v1::JOB_FAILED:
      return "failed";
    case v1::JOB_CANCELLED:
      return "cancelled";
    default:
      return "unknown";
  }
}

}  // namespace fanout
