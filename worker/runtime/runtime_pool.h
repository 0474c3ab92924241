// Warm runtimes, kept per function version between invocations: an invocation takes an idle one
// (warm) or starts one (cold), and gives it back when done. At most `max_runtimes` live at once
// (the worker's slots): starting one over that ends the longest idle of any function first. Idle
// runtimes exit after `idle` (--runtime_idle).
#ifndef FANOUT_WORKER_RUNTIME_RUNTIME_POOL_H_
#define FANOUT_WORKER_RUNTIME_RUNTIME_POOL_H_

#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "worker/runtime/lambda_runtime.h"

namespace fanout::worker {

// Counts for the worker's metrics.
struct RuntimeStats {
  uint64_t cold_starts = 0;
  uint64_t warm_invocations = 0;
  uint64_t exits = 0;  // runtimes that ended on their own or were killed
  double init_seconds = 0;
};

// Thread-safe. Owned by the worker; destroying it ends every runtime.
class RuntimePool {
 public:
  struct Options {
    size_t max_runtimes = 4;
    absl::Duration idle = absl::Minutes(5);
    RuntimeSettings settings;
  };
  explicit RuntimePool(Options options);
  ~RuntimePool();

  // A warm runtime of `config`, or a new one; `cold` says which.
  absl::StatusOr<std::unique_ptr<LambdaRuntime>> Acquire(const FunctionConfig& config, bool* cold);
  // Back to the pool, unless it is no longer usable (then it ends here).
  void Release(const FunctionConfig& config, std::unique_ptr<LambdaRuntime> runtime);
  // A cold start's init duration (spawn to its first invocation/next).
  void NoteInit(absl::Duration init);
  // Ends the idle runtimes `which` picks (their code is going away).
  void EndIdle(const std::function<bool(const FunctionConfig&)>& which);
  const RuntimeSettings& settings() const { return options_.settings; }
  RuntimeStats stats() const;
  size_t live() const;

 private:
  void ReapLoop();
  // Takes the longest idle runtime out (to end it outside the lock); null when none is idle.
  std::unique_ptr<LambdaRuntime> TakeOldestIdle() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Options options_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::vector<std::unique_ptr<LambdaRuntime>>> idle_
      ABSL_GUARDED_BY(mu_);
  size_t live_ ABSL_GUARDED_BY(mu_) = 0;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  RuntimeStats stats_ ABSL_GUARDED_BY(mu_);
  std::thread reaper_;
};

}  // namespace fanout::worker

#endif  // FANOUT_WORKER_RUNTIME_RUNTIME_POOL_H_
