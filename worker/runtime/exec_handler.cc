#include "worker/runtime/exec_handler.h"

#include <atomic>

#include "absl/strings/str_cat.h"
#include "common/json_text.h"
#include "worker/runtime/cgroup_limits.h"
#include "worker/runtime/child_process.h"
#include "worker/runtime/lambda_runtime.h"
#include "worker/runtime/lambda_runtime_handler.h"
#include "worker/runtime/runtime_env.h"

namespace fanout::worker {
namespace {

constexpr absl::Duration kPoll = absl::Milliseconds(20);

// What the process printed: all of stdout (up to the response limit) and the tail of stderr.
struct Output {
  absl::Mutex mu;
  std::string out ABSL_GUARDED_BY(mu);
  bool too_large ABSL_GUARDED_BY(mu) = false;
  std::string err_tail ABSL_GUARDED_BY(mu);
};

std::string ExecCgroupName() {
  static std::atomic<uint64_t> next{0};
  return absl::StrCat("fanout-exec-", ::getpid(), "-", next.fetch_add(1));
}

}  // namespace

absl::StatusOr<std::string> ExecHandler::Invoke(const Event& event, Context& context) {
  std::unique_ptr<CgroupLimits> limits;
  if (settings_.enforce_limits) {
    absl::StatusOr<std::unique_ptr<CgroupLimits>> made =
        CgroupLimits::Create(ExecCgroupName(), config_.memory_mb);
    if (!made.ok()) return absl::UnavailableError(made.status().message());
    limits = *std::move(made);
  }
  const std::string request_id = NewRequestId();
  ChildSpec spec;
  spec.argv = Sandboxed(settings_.sandbox, config_.task_root, {"/bin/sh", "-c", config_.handler});
  FunctionConfig seen = config_;
  seen.task_root = TaskRootSeen(settings_.sandbox, config_.task_root);
  spec.env = LambdaEnvironment(seen, settings_, 0);
  spec.env.erase(spec.env.begin());  // no Runtime API here
  spec.env.push_back(absl::StrCat("FANOUT_JOB_ID=", event.job_id));
  spec.env.push_back(absl::StrCat("FANOUT_TASK=", event.task_index));
  spec.env.push_back(absl::StrCat("FANOUT_ATTEMPT=", context.attempt()));
  spec.env.push_back(absl::StrCat("FANOUT_PARAMS=", DumpJson(event.params)));
  spec.env.push_back(absl::StrCat("FANOUT_REQUEST_ID=", request_id));
  spec.cwd = config_.task_root;  // the sandbox's --chdir takes it from there
  if (limits) spec.cgroup_procs = limits->procs_files();
  spec.feed_stdin = true;
  spec.stdin_bytes = std::string(event.item);
  auto output = std::make_shared<Output>();
  const absl::Time start = absl::Now();
  log_.Begin(request_id);
  absl::StatusOr<std::unique_ptr<ChildProcess>> child =
      ChildProcess::Start(spec, [this, output](int stream, absl::string_view bytes) {
        absl::MutexLock lock(&output->mu);
        if (stream == 1) {
          if (output->out.size() + bytes.size() > LambdaRuntime::kMaxResponseBytes) {
            output->too_large = true;
          } else {
            output->out.append(bytes.data(), bytes.size());
          }
          return;
        }
        log_.Append(bytes);
        output->err_tail.append(bytes.data(), bytes.size());
        if (output->err_tail.size() > 2 * InvocationLog::kTailBytes) {
          output->err_tail.erase(0, output->err_tail.size() - InvocationLog::kTailBytes);
        }
      });
  if (!child.ok()) return absl::UnavailableError(child.status().message());
  InvocationResult result;
  while (!(*child)->WaitExit(absl::Now() + kPoll)) {
    if (limits && limits->OomKilled()) break;
    if (context.lease_gone() || context.remaining() <= absl::ZeroDuration()) break;
  }
  const bool exited = (*child)->exited();
  (*child)->KillGroup();
  if (limits) limits->KillAll();
  (*child)->WaitExit(absl::InfiniteFuture());
  // The file gets every invocation's stderr; the tail kept with the outcome is this one's own
  // (invocations of one exec function run at once, so the log's shared tail would mix them).
  (void)log_.End(request_id, absl::Now() - start);
  absl::MutexLock lock(&output->mu);
  context.set_logs(
      output->err_tail.size() > InvocationLog::kTailBytes
          ? output->err_tail.substr(output->err_tail.size() - InvocationLog::kTailBytes)
          : output->err_tail);
  if (limits && limits->OomKilled()) {
    result = {InvocationResult::Kind::kOutOfMemory, "", "Runtime.OutOfMemory",
              absl::StrCat("the command went over its memory limit of ", config_.memory_mb,
                           " MB and was killed")};
  } else if (!exited && context.lease_gone()) {
    result = {InvocationResult::Kind::kStopped, "", "Runtime.Stopped",
              "stopped: the lease was lost or the job cancelled"};
  } else if (!exited) {
    result = {InvocationResult::Kind::kTimeout, "", "Sandbox.Timedout",
              absl::StrCat(
                  "Task timed out after ",
                  absl::FormatDuration(absl::Trunc(absl::Now() - start, absl::Milliseconds(10))))};
  } else if (output->too_large) {
    result = {InvocationResult::Kind::kTooLarge, "", "Function.ResponseSizeTooLarge",
              absl::StrCat("stdout was over ", LambdaRuntime::kMaxResponseBytes, " bytes")};
  } else if ((*child)->ExitDescription() != "exit 0") {
    result = {InvocationResult::Kind::kFunctionError, "", "Runtime.ExitError",
              absl::StrCat("the command ended with ", (*child)->ExitDescription(),
                           output->err_tail.empty() ? "" : ": ", output->err_tail)};
  } else {
    result.body = output->out;
    // A command's output usually ends with a newline that is not part of the value.
    while (!result.body.empty() && (result.body.back() == '\n' || result.body.back() == '\r')) {
      result.body.pop_back();
    }
  }
  return ResultStatus(result);
}

}  // namespace fanout::worker
