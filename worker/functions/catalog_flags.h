// The flags of users' functions on a worker (--cache_dir, --cache_bytes, --runtime_idle,
// --function_log_dir, --limits, --region), shared by fanout-worker and `fanout dev`.
#ifndef FANOUT_WORKER_FUNCTIONS_CATALOG_FLAGS_H_
#define FANOUT_WORKER_FUNCTIONS_CATALOG_FLAGS_H_

#include <memory>
#include <string>

#include "absl/flags/declare.h"
#include "absl/status/statusor.h"
#include "common/coordinator_channel.h"
#include "worker/functions/function_catalog.h"
#include "worker/handler_registry.h"

ABSL_DECLARE_FLAG(std::vector<std::string>, file_roots);

namespace fanout::worker {

// A catalog for workers dialing `coordinator` with `runtimes` slots in all, from the flags.
// Says in the log whether memory limits are enforced (cgroups) and, if not, why. Also sets the
// process's local file roots (--file_roots), never reaching the cache, the function logs or
// `also_forbidden`.
absl::StatusOr<std::unique_ptr<FunctionCatalog>> FunctionCatalogFromFlags(
    const std::string& coordinator, const ClientSecurity& security, int runtimes,
    const std::vector<std::string>& also_forbidden = {});

// The built-ins, with `catalog` answering for every other function.
std::unique_ptr<HandlerRegistry> HandlersWithFunctions(FunctionCatalog& catalog);

}  // namespace fanout::worker

#endif  // FANOUT_WORKER_FUNCTIONS_CATALOG_FLAGS_H_
