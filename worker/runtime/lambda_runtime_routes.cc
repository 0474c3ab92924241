// The Runtime API's paths for one LambdaRuntime (see lambda_runtime.h). Runtime clients differ:
// error bodies may carry `stackTrace` or `trace`, or be empty or not JSON; responses may be of any
// content type, streamed in chunks, with an error in the trailers.
#include <cmath>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/json_text.h"
#include "common/utf8.h"
#include "worker/runtime/lambda_runtime.h"
#include "worker/runtime/runtime_env.h"

namespace fanout::worker {
namespace {

constexpr absl::string_view kPrefix = "/2018-06-01/runtime/";
constexpr absl::string_view kFanoutPrefix = "/fanout/v1/invocation/";

WireResponse Reply(int status, std::string body) {
  WireResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

WireResponse Status(int status, absl::string_view value) {
  return Reply(status, absl::StrCat(R"({"status":")", value, "\"}"));
}

WireResponse ErrorReply(int status, absl::string_view type, absl::string_view message) {
  return Reply(status, DumpJson({{"errorType", type}, {"errorMessage", message}}));
}

// errorType / errorMessage from an error body, the error-type header only where the body says
// none (as the Runtime API documents it: clients send a generic header — Java's
// Runtime.UserException, Rust's "unhandled" — and the exception's own type in the body). What else
// the body holds (stackTrace, trace, cause) goes to the log only.
void ReadError(absl::string_view body, const std::string* type_header, InvocationResult& out) {
  out.kind = InvocationResult::Kind::kFunctionError;
  absl::StatusOr<nlohmann::json> parsed = ParseJson(body, "the error body");
  if (parsed.ok() && parsed->is_object()) {
    out.error_type = StringField(*parsed, "errorType");
    out.error_message = StringField(*parsed, "errorMessage");
  } else if (!body.empty()) {
    out.error_message = ReplaceInvalidUtf8(body.substr(0, 4096));
  }
  if (out.error_type.empty() && type_header != nullptr && !type_header->empty()) {
    out.error_type = ReplaceInvalidUtf8(*type_header);
  }
  if (out.error_type.empty()) out.error_type = "Unhandled";
}

// A streamed HTTP-integration response (Rust's run_with_streaming_response): a JSON prelude and 8
// NUL bytes before the payload. The payload is the result.
constexpr absl::string_view kHttpIntegration =
    "application/vnd.awslambda.http-integration-response";

std::string StreamedPayload(const WireRequest& request) {
  const std::string* type = request.Header("content-type");
  if (type == nullptr || !absl::StartsWith(*type, kHttpIntegration)) return request.body;
  const size_t nuls = request.body.find(std::string(8, '\0'));
  return nuls == std::string::npos ? request.body : request.body.substr(nuls + 8);
}

}  // namespace

WireResponse LambdaRuntime::Route(const WireRequest& request) {
  absl::string_view path = request.path;
  if (absl::ConsumePrefix(&path, kPrefix)) {
    if (path == "invocation/next") {
      return request.method == "GET" ? Next() : ErrorReply(405, "InvalidMethod", "use GET");
    }
    if (request.method != "POST") return ErrorReply(405, "InvalidMethod", "use POST");
    if (path == "init/error") return InitError(request);
    std::vector<absl::string_view> parts = absl::StrSplit(path, '/');
    if (parts.size() == 3 && parts[0] == "invocation" && parts[2] == "response") {
      return Answer(parts[1], request, /*error=*/false);
    }
    if (parts.size() == 3 && parts[0] == "invocation" && parts[2] == "error") {
      return Answer(parts[1], request, /*error=*/true);
    }
  } else if (absl::ConsumePrefix(&path, kFanoutPrefix)) {
    std::vector<absl::string_view> parts = absl::StrSplit(path, '/');
    if (parts.size() == 2 && parts[1] == "checkpoint" && request.method == "POST") {
      return Checkpoint(parts[0], request);
    }
    if (parts.size() == 2 && parts[1] == "context" && request.method == "GET") {
      return FanoutContext(parts[0]);
    }
  }
  return ErrorReply(404, "NotFound", absl::StrCat("no such path: ", request.path));
}

WireResponse LambdaRuntime::Next() {
  absl::MutexLock lock(&mu_);
  if (!init_duration_) init_duration_ = absl::Now() - started_;
  if (!in_flight_.empty() && !result_) {
    // Asking for more work without answering: the invocation ended with no response.
    result_ = InvocationResult{InvocationResult::Kind::kFunctionError, "", "Runtime.NoResponse",
                               "the runtime asked for the next invocation without answering"};
  }
  auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return closing_ || (pending_ != nullptr && in_flight_.empty());
  };
  mu_.Await(absl::Condition(&ready));
  if (closing_) return ErrorReply(503, "ServiceUnavailable", "the runtime is being stopped");
  in_flight_ = pending_->request_id;
  WireResponse response = Reply(200, pending_->event);
  response.headers = NextHeaders(pending_->request_id, pending_->deadline,
                                 FunctionArn(config_, settings_), pending_->client_context);
  return response;
}

WireResponse LambdaRuntime::Answer(absl::string_view id, const WireRequest& request, bool error) {
  absl::MutexLock lock(&mu_);
  if (id.empty() || id != in_flight_ || result_) {
    return ErrorReply(400, "InvalidRequestID", absl::StrCat("no invocation ", id, " is running"));
  }
  InvocationResult out;
  if (error) {
    ReadError(request.body, request.Header("lambda-runtime-function-error-type"), out);
  } else if (const std::string* type = request.Trailer("lambda-runtime-function-error-type")) {
    // A streamed response that failed midway: the error is in the trailers (body in base64).
    std::string body;
    if (const std::string* b64 = request.Trailer("lambda-runtime-function-error-body")) {
      if (!absl::Base64Unescape(*b64, &body)) body = *b64;
    }
    ReadError(body, type, out);
  } else {
    out.body = StreamedPayload(request);
  }
  result_ = std::move(out);
  return Status(202, "OK");
}

WireResponse LambdaRuntime::InitError(const WireRequest& request) {
  absl::MutexLock lock(&mu_);
  InvocationResult out;
  ReadError(request.body, request.Header("lambda-runtime-function-error-type"), out);
  out.kind = InvocationResult::Kind::kInitError;
  if (out.error_type == "Unhandled") out.error_type = "Runtime.InitError";
  init_error_ = std::move(out);
  return Status(202, "OK");
}

WireResponse LambdaRuntime::FanoutContext(absl::string_view id) {
  absl::MutexLock lock(&mu_);
  if (id.empty() || id != in_flight_ || pending_ == nullptr) {
    return ErrorReply(400, "InvalidRequestID", absl::StrCat("no invocation ", id, " is running"));
  }
  return Reply(200, pending_->fanout_context);
}

WireResponse LambdaRuntime::Checkpoint(absl::string_view id, const WireRequest& request) {
  absl::StatusOr<nlohmann::json> body = ParseJson(request.body, "the checkpoint body");
  if (!body.ok() || !body->is_object() || !body->contains("cursor")) {
    return ErrorReply(
        400, "InvalidCheckpoint",
        body.ok() ? R"(expected {"cursor": ..., "progress": 0..1})" : body.status().message());
  }
  double progress = 0;
  if (auto it = body->find("progress"); it != body->end() && it->is_number()) {
    progress = it->get<double>();
  }
  Context* context = nullptr;
  {
    absl::MutexLock lock(&mu_);
    if (id.empty() || id != in_flight_ || result_ || context_ == nullptr) {
      return ErrorReply(400, "InvalidRequestID", absl::StrCat("no invocation ", id, " is running"));
    }
    context = context_;
    ++checkpoints_running_;
  }
  absl::Status status;
  {
    // One at a time, in the order they came: the task's checkpoint state is not for two threads,
    // and an older cursor must not land after a newer one.
    absl::MutexLock one(&checkpoint_mu_);
    status = context->checkpoint(DumpJson((*body)["cursor"]), progress);
  }
  absl::MutexLock lock(&mu_);
  --checkpoints_running_;
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return Status(200, "OK");
    case absl::StatusCode::kAborted:
      return Status(409, "LEASE_LOST");  // stop: another worker has the task
    case absl::StatusCode::kCancelled:
      return Status(410, "CANCELLED");  // stop: the job was cancelled
    case absl::StatusCode::kInvalidArgument:
      return ErrorReply(400, "InvalidCheckpoint", status.message());
    default:
      return Status(503, "UNAVAILABLE");  // not kept; the handler may go on and try again
  }
}

}  // namespace fanout::worker
