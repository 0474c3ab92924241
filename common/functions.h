// Function specs ("builtin:NAME", later "lambda:..." and "exec:...") and the list of built-in
// handlers, shared so that the coordinator refuses an unknown function at submit time instead of at
// run time.
#ifndef FANOUT_COMMON_FUNCTIONS_H_
#define FANOUT_COMMON_FUNCTIONS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace fanout {

struct FunctionSpec {
  enum class Runtime { kBuiltin };
  Runtime runtime = Runtime::kBuiltin;
  std::string name;  // for kBuiltin: the handler name
};

// The built-in handlers every worker has. worker/builtins registers exactly these (tested there).
const std::vector<std::string>& BuiltinFunctionNames();

// Parses `spec`; errors are INVALID_ARGUMENT and name the `function` field.
absl::StatusOr<FunctionSpec> ParseFunction(absl::string_view spec);

}  // namespace fanout

#endif  // FANOUT_COMMON_FUNCTIONS_H_
