#include "worker/runtime/lambda_runtime_handler.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/json_text.h"
#include "common/utf8.h"
#include "worker/runtime/runtime_env.h"

namespace fanout::worker {

namespace {

// Lambda takes at most 3,583 bytes of client context (base64); runtime clients size their header
// buffers for that (curl: 100 KiB a header, .NET: 64 KiB in all), so a big context goes by path.
constexpr size_t kMaxContextHeaderBytes = 2600;

// JSON in a header: ASCII only (\uXXXX escapes), since header values must be visible ASCII to
// some clients (Rust's HeaderValue::to_str).
std::string AsciiJson(const nlohmann::json& value) {
  return value.dump(-1, ' ', /*ensure_ascii=*/true, nlohmann::json::error_handler_t::replace);
}

}  // namespace

FanoutContext ClientContext(const Event& event, const Context& context, const std::string& id) {
  nlohmann::json fanout = {
      {"job_id", event.job_id},
      {"task", event.task_index},
      {"item", event.item_index},
      {"attempt", context.attempt()},
      {"params", event.params},
      {"checkpoint_path", absl::StrCat("/fanout/v1/invocation/", id, "/checkpoint")},
      {"context_path", absl::StrCat("/fanout/v1/invocation/", id, "/context")},
  };
  // The cursor was written by this runtime's checkpoint call as JSON text.
  if (context.resume_cursor().empty()) {
    fanout["cursor"] = nullptr;
  } else if (absl::StatusOr<nlohmann::json> cursor =
                 ParseJson(context.resume_cursor(), "the cursor");
             cursor.ok()) {
    fanout["cursor"] = *std::move(cursor);
  } else {
    fanout["cursor"] = ReplaceInvalidUtf8(context.resume_cursor());
  }
  FanoutContext out;
  out.full = DumpJson(fanout);
  // Typed runtime clients (Go, Java, .NET, Rust) decode `custom` as a map of strings — Go's fails
  // the invocation otherwise — so fanout's context is one JSON string in it.
  out.header = AsciiJson({{"custom", {{"fanout", AsciiJson(fanout)}}}});
  if (out.header.size() > kMaxContextHeaderBytes) {
    fanout.erase("params");
    fanout.erase("cursor");
    fanout["truncated"] = true;  // params and cursor: GET context_path
    out.header = AsciiJson({{"custom", {{"fanout", AsciiJson(fanout)}}}});
  }
  return out;
}

absl::StatusOr<std::string> ResultStatus(const InvocationResult& result) {
  using Kind = InvocationResult::Kind;
  if (result.kind == Kind::kResponse) {
    if (result.body.empty()) return std::string("null");
    if (IsJsonText(result.body)) return result.body;
    if (CheckUtf8(result.body, "the response").ok()) return DumpJson(result.body);
    return DumpJson({{"base64", absl::Base64Escape(result.body)}});
  }
  // Kept with the task: a runtime's message (up to a response's size) is cut to 64 KiB.
  constexpr size_t kMaxMessage = 64 * 1024;
  std::string text = result.error_message.substr(0, kMaxMessage);
  TruncateUtf8(&text, kMaxMessage);
  const std::string message = DumpJson({{"errorType", result.error_type.substr(0, 256)},
                                        {"errorMessage", ReplaceInvalidUtf8(text)}});
  switch (result.kind) {
    case Kind::kInitError:
    case Kind::kTooLarge:
      return absl::FailedPreconditionError(message);
    case Kind::kTimeout:
      return absl::DeadlineExceededError(message);
    case Kind::kStopped:
      return absl::CancelledError(message);
    default:  // function errors, exits, out of memory: another attempt may well succeed
      return absl::InternalError(message);
  }
}

absl::StatusOr<std::string> LambdaRuntimeHandler::Invoke(const Event& event, Context& context) {
  Invocation invocation;
  invocation.request_id = NewRequestId();
  invocation.event = std::string(event.item);
  FanoutContext fanout = ClientContext(event, context, invocation.request_id);
  invocation.client_context = std::move(fanout.header);
  invocation.fanout_context = std::move(fanout.full);
  invocation.deadline = context.deadline();
  InvocationResult result;
  for (int attempt = 1; attempt <= kInitAttempts; ++attempt) {
    bool cold = false;
    absl::StatusOr<std::unique_ptr<LambdaRuntime>> runtime = pool_.Acquire(config_, &cold);
    if (!runtime.ok()) {
      return absl::UnavailableError(absl::StrCat("cannot start a runtime of ", config_.key(), ": ",
                                                 runtime.status().message()));
    }
    result = (*runtime)->Invoke(invocation, context);
    if (cold) {
      if (std::optional<absl::Duration> init = (*runtime)->init_duration()) {
        pool_.NoteInit(*init);
        context.set_init_duration(*init);
      }
    }
    context.set_logs(result.logs);
    pool_.Release(config_, *std::move(runtime));
    // A runtime that could not start, or a warm one that ended before it took the event, is
    // replaced by a fresh one within the invocation.
    const bool never_ran =
        result.kind == InvocationResult::Kind::kInitError ||
        (result.kind == InvocationResult::Kind::kExitError && !result.handed_out);
    if (!never_ran || context.cancelled()) break;
  }
  return ResultStatus(result);
}

}  // namespace fanout::worker
