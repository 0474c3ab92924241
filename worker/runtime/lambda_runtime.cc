#include "worker/runtime/lambda_runtime.h"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "glog/logging.h"
#include "worker/runtime/runtime_env.h"

namespace fanout::worker {
namespace {

constexpr absl::Duration kPoll = absl::Milliseconds(20);

InvocationResult Failure(InvocationResult::Kind kind, std::string type, std::string message) {
  InvocationResult r;
  r.kind = kind;
  r.error_type = std::move(type);
  r.error_message = std::move(message);
  return r;
}

std::string CgroupName() {
  static std::atomic<uint64_t> next{0};
  return absl::StrCat("fanout-", ::getpid(), "-", next.fetch_add(1));
}

}  // namespace

absl::StatusOr<std::unique_ptr<LambdaRuntime>> LambdaRuntime::Start(
    const FunctionConfig& config, const RuntimeSettings& settings) {
  std::unique_ptr<LambdaRuntime> runtime(new LambdaRuntime(config, settings));
  LambdaRuntime* self = runtime.get();
  if (settings.enforce_limits) {
    absl::StatusOr<std::unique_ptr<CgroupLimits>> limits =
        CgroupLimits::Create(CgroupName(), config.memory_mb);
    if (!limits.ok()) return limits.status();
    runtime->limits_ = *std::move(limits);
  }
  // Sandboxed functions share the machine's network: only this runtime's processes may use its
  // endpoint (a function finding another's port could otherwise take its invocations).
  absl::StatusOr<std::unique_ptr<RuntimeApiServer>> server = RuntimeApiServer::Start(
      [self](const WireRequest& request) { return self->Route(request); },
      [self](const absl::Status& why) { self->Refused(why); }, kMaxResponseBytes,
      /*owner_only=*/settings.sandbox.enabled);
  if (!server.ok()) return server.status();
  runtime->server_ = *std::move(server);
  ChildSpec spec;
  FunctionConfig seen = config;
  seen.task_root = TaskRootSeen(settings.sandbox, config.task_root);
  spec.argv = Sandboxed(settings.sandbox, config.task_root, {seen.task_root + "/bootstrap"});
  spec.env = LambdaEnvironment(seen, settings, runtime->server_->port());
  spec.cwd = config.task_root;
  if (runtime->limits_) spec.cgroup_procs = runtime->limits_->procs_files();
  runtime->started_ = absl::Now();
  absl::StatusOr<std::unique_ptr<ChildProcess>> process =
      ChildProcess::Start(spec, [self](int, absl::string_view bytes) { self->log_.Append(bytes); });
  if (!process.ok()) return process.status();
  runtime->process_ = *std::move(process);
  if (settings.sandbox.enabled) runtime->server_->RestrictTo(runtime->process_->pid());
  absl::MutexLock lock(&runtime->mu_);
  runtime->last_used_ = absl::Now();
  return runtime;
}

LambdaRuntime::~LambdaRuntime() {
  {
    absl::MutexLock lock(&mu_);
    Kill();
  }
  server_.reset();   // joins its threads (woken by closing_)
  process_.reset();  // reaps the process
  limits_.reset();   // kills strays that left the process group, removes the groups
}

void LambdaRuntime::Kill() {
  dead_ = true;
  closing_ = true;
  if (process_) process_->KillGroup();
  if (limits_) limits_->KillAll();
  if (server_) server_->Shutdown();
}

bool LambdaRuntime::usable() const {
  absl::MutexLock lock(&mu_);
  return !dead_ && !process_->exited();
}

std::optional<absl::Duration> LambdaRuntime::init_duration() const {
  absl::MutexLock lock(&mu_);
  return init_duration_;
}

absl::Time LambdaRuntime::last_used() const {
  absl::MutexLock lock(&mu_);
  return last_used_;
}

InvocationResult LambdaRuntime::Invoke(const Invocation& invocation, Context& context) {
  const absl::Time start = absl::Now();
  log_.Begin(invocation.request_id);
  {
    absl::MutexLock lock(&mu_);
    pending_ = &invocation;
    context_ = &context;
    invoke_start_ = start;
    result_.reset();
  }
  InvocationResult result = Await(context);
  process_->DrainOutput(absl::Milliseconds(50));
  result.logs = log_.End(invocation.request_id, absl::Now() - start);
  return result;
}

InvocationResult LambdaRuntime::Await(Context& context) {
  absl::MutexLock lock(&mu_);
  auto answered = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return result_.has_value() || init_error_.has_value() || dead_;
  };
  InvocationResult out;
  while (true) {
    mu_.AwaitWithTimeout(absl::Condition(&answered), kPoll);
    // Any process of the runtime killed at the memory limit (a child, even if the bootstrap went
    // on and answered) ends the runtime and fails the invocation, as in Lambda's sandbox.
    if (limits_ && limits_->OomKilled()) {
      Kill();
      out = Failure(InvocationResult::Kind::kOutOfMemory, "Runtime.OutOfMemory",
                    absl::StrCat("the runtime went over its memory limit of ", config_.memory_mb,
                                 " MB and was killed"));
      break;
    }
    if (result_) {
      out = *std::move(result_);
      break;
    }
    if (init_error_) {
      out = *init_error_;
      Kill();
      break;
    }
    const bool ended = dead_ || process_->exited();
    if (ended) {
      const std::string how = process_->exited() ? process_->ExitDescription() : "killed";
      const bool handed_out = !in_flight_.empty();
      Kill();
      out = init_duration_
                ? Failure(InvocationResult::Kind::kExitError, "Runtime.ExitError",
                          absl::StrCat("the runtime exited during the invocation (", how, ")"))
                : Failure(InvocationResult::Kind::kInitError, "Runtime.InitError",
                          absl::StrCat("the runtime exited before asking for an invocation (", how,
                                       ")"));
      out.handed_out = handed_out;
      break;
    }
    if (context.lease_gone()) {
      Kill();
      out = Failure(InvocationResult::Kind::kStopped, "Runtime.Stopped",
                    "stopped: the lease was lost or the job cancelled");
      break;
    }
    if (context.remaining() <= absl::ZeroDuration()) {
      Kill();
      out = Failure(InvocationResult::Kind::kTimeout, "Sandbox.Timedout",
                    absl::StrCat("Task timed out after ",
                                 absl::FormatDuration(absl::Trunc(absl::Now() - invoke_start_,
                                                                  absl::Milliseconds(10)))));
      break;
    }
  }
  // A checkpoint call still at work uses `context`: it must end before the invocation does.
  auto no_checkpoint = [this]()
                           ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return checkpoints_running_ == 0; };
  mu_.Await(absl::Condition(&no_checkpoint));
  pending_ = nullptr;
  in_flight_.clear();
  context_ = nullptr;
  result_.reset();
  last_used_ = absl::Now();
  return out;
}

void LambdaRuntime::Refused(const absl::Status& why) {
  absl::MutexLock lock(&mu_);
  if (in_flight_.empty() || result_) return;
  if (why.code() == absl::StatusCode::kResourceExhausted) {
    result_ = Failure(InvocationResult::Kind::kTooLarge, "Function.ResponseSizeTooLarge",
                      absl::StrCat("Response payload size exceeded maximum allowed payload size (",
                                   kMaxResponseBytes, " bytes)."));
  } else {
    // The runtime's own request was malformed: say so rather than lose the invocation to its exit.
    result_ = Failure(InvocationResult::Kind::kFunctionError, "Runtime.InvalidRequest",
                      absl::StrCat("the runtime sent a request that is not HTTP/1.1 as the Runtime "
                                   "API takes it: ",
                                   why.message()));
  }
}

}  // namespace fanout::worker
