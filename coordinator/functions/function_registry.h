// The function registry: every function's immutable numbered versions, durable in a RocksDB of
// its own (DATA_DIR/functions; every write synced before it is answered) beside the code store
// (DATA_DIR/code). Version numbers are never reused, not even after a delete, so that a worker's
// cache keyed by NAME:VERSION can never run other code under a known name.
#ifndef FANOUT_COORDINATOR_FUNCTIONS_FUNCTION_REGISTRY_H_
#define FANOUT_COORDINATOR_FUNCTIONS_FUNCTION_REGISTRY_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "common/functions.h"
#include "coordinator/functions/code_store.h"
#include "proto/function_service.pb.h"
#include "rocksdb/db.h"

namespace fanout::coordinator {

// Thread-safe. Owned by CoordinatorServer.
class FunctionRegistry {
 public:
  struct Options {
    std::string data_dir;
    bool sync = true;
    uint64_t max_bundle_bytes = 50ull << 20;
  };
  static absl::StatusOr<std::unique_ptr<FunctionRegistry>> Open(const Options& options,
                                                                Clock& clock);
  ~FunctionRegistry();

  CodeStore& code() { return *code_; }

  // Version 1 of a new function, or (update) the next version of an existing one.
  absl::StatusOr<v1::FunctionVersion> Create(const v1::CreateFunctionRequest& request);
  // Version `version` of `name` (0: the latest). kNotFound names what is missing.
  absl::StatusOr<v1::FunctionVersion> Get(const std::string& name, uint32_t version);
  // The latest version of every function (name empty), or every version of `name`.
  absl::StatusOr<std::vector<v1::FunctionVersion>> List(const std::string& name);
  // Deletes every version; returns how many. Running jobs pinned to one fail as their workers
  // cannot fetch it.
  absl::StatusOr<uint32_t> Delete(const std::string& name);
  // The version a job naming `spec` runs: its own, or the latest.
  absl::StatusOr<v1::FunctionVersion> Resolve(const FunctionSpec& spec) {
    return Get(spec.name, spec.version);
  }

 private:
  FunctionRegistry(Clock& clock) : clock_(clock) {}
  absl::Status Validate(const v1::CreateFunctionRequest& request,
                        v1::FunctionSettings& settings) const;
  absl::StatusOr<uint32_t> LastVersion(const std::string& name, bool* exists)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Clock& clock_;
  bool sync_ = true;
  std::unique_ptr<CodeStore> code_;
  std::unique_ptr<rocksdb::DB> db_;
  absl::Mutex mu_;  // serializes version numbering
};

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_FUNCTIONS_FUNCTION_REGISTRY_H_
