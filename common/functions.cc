#include "common/functions.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace fanout {

const std::vector<std::string>& BuiltinFunctionNames() {
  static const auto* names = new std::vector<std::string>{
      "blob", "count", "fail", "lines", "noop", "s3-copy", "sha256", "sleep", "sum"};
  return *names;
}

absl::StatusOr<FunctionSpec> ParseFunction(absl::string_view spec) {
  constexpr absl::string_view kBuiltin = "builtin:";
  if (spec.empty()) {
    return absl::InvalidArgumentError("function: missing; expected builtin:NAME");
  }
  if (!absl::StartsWith(spec, kBuiltin)) {
    return absl::InvalidArgumentError(
        absl::StrCat("function: unknown runtime in '", spec, "'; expected builtin:NAME"));
  }
  FunctionSpec out;
  out.name = std::string(spec.substr(kBuiltin.size()));
  const auto& names = BuiltinFunctionNames();
  if (std::find(names.begin(), names.end(), out.name) == names.end()) {
    return absl::InvalidArgumentError(absl::StrCat("function: unknown built-in '", out.name,
                                                   "'; known: ", absl::StrJoin(names, ", ")));
  }
  return out;
}

}  // namespace fanout
