// The functions a worker can run beyond its built-ins: for a job's "NAME:VERSION", the version's
// settings (asked of the coordinator once), its code (from the CodeCache) and a handler of its
// runtime — `provided` (the Lambda Runtime API, warm runtimes from the pool) or `exec`.
#ifndef FANOUT_WORKER_FUNCTIONS_FUNCTION_CATALOG_H_
#define FANOUT_WORKER_FUNCTIONS_FUNCTION_CATALOG_H_

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/grpcpp.h"
#include "proto/function_service.grpc.pb.h"
#include "worker/functions/code_cache.h"
#include "worker/handler.h"
#include "worker/runtime/runtime_pool.h"

namespace fanout::worker {

// Thread-safe. Owned by the worker's main; outlives the Worker.
class FunctionCatalog {
 public:
  struct Options {
    std::string cache_dir;
    uint64_t cache_bytes = 2ull << 30;
    RuntimePool::Options pool;
  };
  // Fails when the cache directory cannot be taken (see CodeCache::Open).
  static absl::StatusOr<std::unique_ptr<FunctionCatalog>> Open(
      std::shared_ptr<grpc::Channel> channel, Options options);

  // The handler of `function` ("NAME:VERSION"); kNotFound when the coordinator has no such
  // version (deleted), kUnavailable when it cannot be asked now.
  absl::StatusOr<Handler*> Resolve(absl::string_view function);
  RuntimePool& pool() { return pool_; }
  CodeCache& cache() { return *cache_; }

 private:
  FunctionCatalog(std::shared_ptr<grpc::Channel> channel, Options options);
  absl::StatusOr<std::unique_ptr<Handler>> Build(const v1::FunctionVersion& version);
  absl::Status FetchCode(const std::string& sha256, const std::string& path);

  std::unique_ptr<v1::FunctionService::Stub> stub_;
  RuntimePool pool_;
  std::unique_ptr<CodeCache> cache_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::unique_ptr<Handler>> handlers_ ABSL_GUARDED_BY(mu_);
};

// Invokes `inner` with its code pinned in the cache (fetched first if it was evicted).
class PinnedCodeHandler : public Handler {
 public:
  PinnedCodeHandler(CodeCache& cache, std::string sha256, std::unique_ptr<Handler> inner)
      : cache_(cache), sha256_(std::move(sha256)), inner_(std::move(inner)) {}
  absl::StatusOr<std::string> Invoke(const Event& event, Context& context) override;
  bool TakesBatches() const override { return inner_->TakesBatches(); }

 private:
  CodeCache& cache_;
  const std::string sha256_;
  const std::unique_ptr<Handler> inner_;
};

}  // namespace fanout::worker

#endif  // FANOUT_WORKER_FUNCTIONS_FUNCTION_CATALOG_H_
