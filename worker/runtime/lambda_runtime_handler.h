// Runtime `provided`: a function version run by its bundle's `bootstrap` through the Lambda
// Runtime API. One invocation per call, on a warm runtime from the pool when one is idle. The event
// is the item; fanout's context (job, task, attempt, params, resume cursor) travels in the client
// context as {"custom": {"fanout": "<JSON text>"}} (custom values are strings to typed clients).
#ifndef FANOUT_WORKER_RUNTIME_LAMBDA_RUNTIME_HANDLER_H_
#define FANOUT_WORKER_RUNTIME_LAMBDA_RUNTIME_HANDLER_H_

#include "worker/handler.h"
#include "worker/runtime/function_config.h"
#include "worker/runtime/runtime_pool.h"

namespace fanout::worker {

// A start that fails to initialize is tried this often on a fresh runtime within one invocation;
// then the task fails (fatally: its code will not initialize on a fifth try either).
inline constexpr int kInitAttempts = 3;

// Thread-safe (the pool is). Owned by the worker's function catalog.
class LambdaRuntimeHandler : public Handler {
 public:
  LambdaRuntimeHandler(FunctionConfig config, RuntimePool& pool)
      : config_(std::move(config)), pool_(pool) {}
  absl::StatusOr<std::string> Invoke(const Event& event, Context& context) override;
  bool TakesBatches() const override { return true; }

 private:
  const FunctionConfig config_;
  RuntimePool& pool_;
};

// The status a handler returns for a runtime's result: the response as JSON text (a body that is
// not JSON becomes a JSON string; bytes that are not UTF-8, {"base64": ...}), or an error whose
// message is {"errorType", "errorMessage"} and whose code decides retry (function errors, exits and
// out-of-memory retry; init errors and oversized responses do not; a timeout continues).
absl::StatusOr<std::string> ResultStatus(const InvocationResult& result);

// fanout's context of one invocation: `header` is the client context, {"custom": {"fanout":
// "{\"job_id\": ..., \"cursor\": ...}"}} in ASCII, without params and cursor when they would make
// it over Lambda's size ("truncated": true); `full` is all of it, served at context_path.
struct FanoutContext {
  std::string header;
  std::string full;
};
FanoutContext ClientContext(const Event& event, const Context& context, const std::string& id);

}  // namespace fanout::worker

#endif  // FANOUT_WORKER_RUNTIME_LAMBDA_RUNTIME_HANDLER_H_
