#include "common/functions.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/utf8.h"

namespace fanout {
namespace {

constexpr size_t kMaxEnvBytes = 4096;

bool NameChar(char c) { return absl::ascii_isalnum(c) || c == '-' || c == '_'; }

// Lambda's reserved names, but for the credentials: Lambda fills those from the function's role;
// fanout has no roles, so a function that calls AWS (or an S3-compatible store) is given them.
const absl::flat_hash_set<std::string>& ReservedEnvNames() {
  static const auto* names = new absl::flat_hash_set<std::string>{
      "_HANDLER",
      "_X_AMZN_TRACE_ID",
      "AWS_DEFAULT_REGION",
      "AWS_REGION",
      "AWS_EXECUTION_ENV",
      "AWS_LAMBDA_FUNCTION_NAME",
      "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
      "AWS_LAMBDA_FUNCTION_VERSION",
      "AWS_LAMBDA_INITIALIZATION_TYPE",
      "AWS_LAMBDA_LOG_GROUP_NAME",
      "AWS_LAMBDA_LOG_STREAM_NAME",
      "AWS_LAMBDA_RUNTIME_API",
      "LAMBDA_TASK_ROOT",
      "LAMBDA_RUNTIME_DIR",
  };
  return *names;
}

absl::StatusOr<FunctionSpec> ParseBuiltin(absl::string_view name) {
  FunctionSpec out;
  out.name = std::string(name);
  const auto& names = BuiltinFunctionNames();
  if (std::find(names.begin(), names.end(), out.name) == names.end()) {
    return absl::InvalidArgumentError(absl::StrCat("function: unknown built-in '", out.name,
                                                   "'; known: ", absl::StrJoin(names, ", ")));
  }
  return out;
}

}  // namespace

const std::vector<std::string>& BuiltinFunctionNames() {
  static const auto* names = new std::vector<std::string>{
      "blob", "count", "fail", "lines", "noop", "s3-copy", "sha256", "sleep", "sum"};
  return *names;
}

absl::StatusOr<FunctionSpec> ParseFunction(absl::string_view spec) {
  constexpr absl::string_view kBuiltin = "builtin:";
  if (spec.empty()) {
    return absl::InvalidArgumentError(
        "function: missing; expected builtin:NAME or a function's NAME[:VERSION]");
  }
  if (absl::StartsWith(spec, kBuiltin)) return ParseBuiltin(spec.substr(kBuiltin.size()));
  FunctionSpec out;
  out.runtime = FunctionSpec::Runtime::kUser;
  const size_t colon = spec.find(':');
  out.name = std::string(spec.substr(0, colon));
  if (absl::Status name = ValidateFunctionName(out.name); !name.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "function: '", ReplaceInvalidUtf8(spec),
        "' is neither builtin:NAME nor a function's NAME[:VERSION]: ", name.message()));
  }
  if (colon != absl::string_view::npos) {
    const absl::string_view version = spec.substr(colon + 1);
    if (!absl::SimpleAtoi(version, &out.version) || out.version == 0 ||
        !absl::ascii_isdigit(version.empty() ? 'x' : version[0])) {
      return absl::InvalidArgumentError(absl::StrCat("function: version '",
                                                     ReplaceInvalidUtf8(version), "' of ", out.name,
                                                     " is not a number from 1"));
    }
  }
  return out;
}

absl::Status ValidateFunctionName(absl::string_view name) {
  if (name.empty() || name.size() > 64 || !std::all_of(name.begin(), name.end(), NameChar)) {
    return absl::InvalidArgumentError("a function name is 1-64 letters, digits, '-' or '_'");
  }
  if (name == "builtin") return absl::InvalidArgumentError("'builtin' names the built-ins");
  return absl::OkStatus();
}

absl::Status ValidateFunctionEnv(const std::vector<std::pair<std::string, std::string>>& env) {
  absl::flat_hash_set<std::string> seen;
  size_t bytes = 0;
  for (const auto& [name, value] : env) {
    const std::string shown = ReplaceInvalidUtf8(name);
    if (name.empty() || !absl::ascii_isalpha(name[0]) ||
        !std::all_of(name.begin(), name.end(),
                     [](char c) { return absl::ascii_isalnum(c) || c == '_'; })) {
      return absl::InvalidArgumentError(
          absl::StrCat("env: '", shown, "' is not a variable name ([A-Za-z][A-Za-z0-9_]*)"));
    }
    if (ReservedEnvNames().contains(name) || absl::StartsWith(name, "AWS_LAMBDA_")) {
      return absl::InvalidArgumentError(
          absl::StrCat("env: ", name, " is set by the platform and cannot be set by a function"));
    }
    if (!seen.insert(name).second) {
      return absl::InvalidArgumentError(absl::StrCat("env: ", name, " is given twice"));
    }
    if (absl::Status utf8 = CheckUtf8(value, absl::StrCat("env: the value of ", name));
        !utf8.ok()) {
      return absl::InvalidArgumentError(utf8.message());
    }
    if (value.find('\0') != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat("env: the value of ", name, " holds NUL"));
    }
    bytes += name.size() + value.size();
  }
  if (bytes > kMaxEnvBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("env: ", bytes, " bytes in all, over the limit of ", kMaxEnvBytes));
  }
  return absl::OkStatus();
}

}  // namespace fanout
