// Runtime `exec`: a shell command per invocation (`--handler='CMD ARGS'`, run by /bin/sh in the
// bundle's directory), for one-liners and existing scripts. The event arrives on stdin; stdout is
// the result (JSON when it parses, else a JSON string); a non-zero exit is an error carrying the
// tail of stderr. The same limits as `provided`: memory through cgroups, the deadline killing the
// whole process group, 6 MiB of response.
#ifndef FANOUT_WORKER_RUNTIME_EXEC_HANDLER_H_
#define FANOUT_WORKER_RUNTIME_EXEC_HANDLER_H_

#include "worker/handler.h"
#include "worker/runtime/function_config.h"
#include "worker/runtime/invocation_log.h"

namespace fanout::worker {

// Thread-safe: every invocation is its own process. Owned by the FunctionCatalog.
class ExecHandler : public Handler {
 public:
  ExecHandler(FunctionConfig config, RuntimeSettings settings)
      : config_(std::move(config)),
        settings_(std::move(settings)),
        log_(settings_.log_dir, config_.key()) {}
  absl::StatusOr<std::string> Invoke(const Event& event, Context& context) override;
  bool TakesBatches() const override { return true; }

 private:
  const FunctionConfig config_;
  const RuntimeSettings settings_;
  InvocationLog log_;
};

}  // namespace fanout::worker

#endif  // FANOUT_WORKER_RUNTIME_EXEC_HANDLER_H_
