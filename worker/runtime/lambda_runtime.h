// One warm runtime of a function version, speaking the AWS Lambda Runtime API (2018-06-01): its
// process (the bundle's `bootstrap`, started with Lambda's environment), its own loopback endpoint,
// and the one invocation it serves at a time. Reused for the next invocation until it exits, is
// killed at a deadline, or sits idle too long (the pool decides).
//
// Served paths: GET invocation/next, POST invocation/{id}/response (buffered or streamed, errors in
// trailers), POST invocation/{id}/error, POST init/error, and fanout's extension
// POST /fanout/v1/invocation/{id}/checkpoint (answered once durable).
#ifndef FANOUT_WORKER_RUNTIME_LAMBDA_RUNTIME_H_
#define FANOUT_WORKER_RUNTIME_LAMBDA_RUNTIME_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "worker/handler.h"
#include "worker/runtime/cgroup_limits.h"
#include "worker/runtime/child_process.h"
#include "worker/runtime/function_config.h"
#include "worker/runtime/invocation_log.h"
#include "worker/runtime/runtime_api_server.h"

namespace fanout::worker {

// What one invocation hands the runtime.
struct Invocation {
  std::string request_id;      // Lambda-Runtime-Aws-Request-Id
  std::string event;           // the body of invocation/next
  std::string client_context;  // the Lambda-Runtime-Client-Context header
  std::string fanout_context;  // all of fanout's context (GET /fanout/v1/invocation/{id}/context)
  absl::Time deadline;
};

// How an invocation ended.
struct InvocationResult {
  enum class Kind {
    kResponse,       // body is the function's response
    kFunctionError,  // invocation/{id}/error
    kInitError,      // init/error, or the process ended before asking for work
    kExitError,      // the process ended during the invocation
    kOutOfMemory,    // killed at its memory limit
    kTimeout,        // killed at the deadline
    kStopped,        // killed because the lease was lost or the job cancelled
    kTooLarge,       // the response was over 6 MiB
  };
  Kind kind = Kind::kResponse;
  std::string body;
  std::string error_type;
  std::string error_message;
  std::string logs;  // the tail of what the runtime printed during the invocation
  // False when the runtime ended before it took the event (a warm one that died idle): nothing
  // of the invocation ran, so a fresh runtime may take it at no cost.
  bool handed_out = true;
};

// Thread-safe: Invoke is called by one slot at a time, the Runtime API by the runtime's threads.
// Owned by the RuntimePool.
class LambdaRuntime {
 public:
  static constexpr size_t kMaxResponseBytes = 6 * 1024 * 1024;

  // Starts the process; it is ready once it asks for its first invocation (Invoke waits for that).
  static absl::StatusOr<std::unique_ptr<LambdaRuntime>> Start(const FunctionConfig& config,
                                                              const RuntimeSettings& settings);
  ~LambdaRuntime();  // kills the process group

  // Runs one invocation; `context` answers checkpoints and says when the lease is gone.
  InvocationResult Invoke(const Invocation& invocation, Context& context);

  // False once the process ended or was killed: the pool drops it.
  bool usable() const;
  // Set once the runtime first asked for work: how long its start took.
  std::optional<absl::Duration> init_duration() const;
  absl::Time last_used() const;
  const FunctionConfig& config() const { return config_; }

 private:
  LambdaRuntime(const FunctionConfig& config, const RuntimeSettings& settings)
      : config_(config), settings_(settings), log_(settings.log_dir, config.key()) {}
  WireResponse Route(const WireRequest& request);
  WireResponse Next();
  WireResponse Answer(absl::string_view id, const WireRequest& request, bool error);
  WireResponse InitError(const WireRequest& request);
  WireResponse Checkpoint(absl::string_view id, const WireRequest& request);
  WireResponse FanoutContext(absl::string_view id);
  void Refused(const absl::Status& why);
  // Ends the runtime: kills its group; Invoke reports `kind`.
  void Kill() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  InvocationResult Await(Context& context);

  // Constant after construction
  const FunctionConfig config_;
  const RuntimeSettings settings_;
  absl::Time started_;
  std::unique_ptr<CgroupLimits> limits_;
  std::unique_ptr<RuntimeApiServer> server_;
  std::unique_ptr<ChildProcess> process_;
  InvocationLog log_;

  absl::Mutex checkpoint_mu_;  // held around a checkpoint's commit; never with mu_
  mutable absl::Mutex mu_;
  bool dead_ ABSL_GUARDED_BY(mu_) = false;
  bool closing_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<absl::Duration> init_duration_ ABSL_GUARDED_BY(mu_);
  std::optional<InvocationResult> init_error_ ABSL_GUARDED_BY(mu_);
  const Invocation* pending_ ABSL_GUARDED_BY(mu_) = nullptr;  // waiting for invocation/next
  std::string in_flight_ ABSL_GUARDED_BY(mu_);                // handed out, not answered
  Context* context_ ABSL_GUARDED_BY(mu_) = nullptr;
  int checkpoints_running_ ABSL_GUARDED_BY(mu_) = 0;
  std::optional<InvocationResult> result_ ABSL_GUARDED_BY(mu_);
  absl::Time last_used_ ABSL_GUARDED_BY(mu_);
  absl::Time invoke_start_ ABSL_GUARDED_BY(mu_);
};

}  // namespace fanout::worker

#endif  // FANOUT_WORKER_RUNTIME_LAMBDA_RUNTIME_H_
