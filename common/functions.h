// Function specs and names, shared so that every process judges them alike: "builtin:NAME" for a
// handler compiled into the worker, "NAME" or "NAME:VERSION" for a user's function in the
// coordinator's registry (the latest version when none is named; a submitted job is pinned to
// NAME:VERSION). The coordinator refuses an unknown function at submit time, not at run time.
#ifndef FANOUT_COMMON_FUNCTIONS_H_
#define FANOUT_COMMON_FUNCTIONS_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace fanout {

struct FunctionSpec {
  enum class Runtime { kBuiltin, kUser };
  Runtime runtime = Runtime::kBuiltin;
  std::string name;      // the handler name (kBuiltin) or the function's name (kUser)
  uint32_t version = 0;  // kUser: 0 means the latest
};

// The built-in handlers every worker has. worker/builtins registers exactly these (tested there).
const std::vector<std::string>& BuiltinFunctionNames();

// Parses `spec`; errors are INVALID_ARGUMENT and name the `function` field.
absl::StatusOr<FunctionSpec> ParseFunction(absl::string_view spec);

// A user function's name: 1-64 letters, digits, '-' or '_' (Lambda's rule), not "builtin".
absl::Status ValidateFunctionName(absl::string_view name);

// A function's environment: names are [A-Za-z][A-Za-z0-9_]*, none of those Lambda reserves for
// the platform (AWS_REGION, _HANDLER, AWS_LAMBDA_*, ...: AWS_LAMBDA_MAX_CONCURRENCY would make
// runtime clients ask for several invocations at once), no name twice; values UTF-8; 4 KiB in all.
absl::Status ValidateFunctionEnv(const std::vector<std::pair<std::string, std::string>>& env);

}  // namespace fanout

#endif  // FANOUT_COMMON_FUNCTIONS_H_
