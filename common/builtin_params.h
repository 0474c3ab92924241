// The parameters each built-in function reads (--param KEY=VALUE, JobSpec.params_json), so that
// the coordinator can refuse a job whose parameters cannot work before any task runs: a
// `builtin:s3-copy` over a million objects without `dest` would otherwise be a million failed
// invocations. Checked at submit (coordinator/job_validation.cc); each handler still checks what
// it reads (an item may carry the same fields).
#ifndef FANOUT_COMMON_BUILTIN_PARAMS_H_
#define FANOUT_COMMON_BUILTIN_PARAMS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace fanout {

struct BuiltinParam {
  enum class Type { kInteger, kString };
  std::string name;
  Type type = Type::kString;
  bool required = false;
  int64_t min = 0;                  // kInteger
  std::vector<std::string> one_of;  // kString: the values allowed (empty: any)
  std::string prefix;               // kString: what a value must start with ("" : anything)
  std::string about;                // for `fanout help`-style messages
};

// The parameters of built-in NAME (without "builtin:"); empty for one that reads none.
const std::vector<BuiltinParam>& BuiltinParams(absl::string_view name);

// INVALID_ARGUMENT naming params.KEY when `params` (a JSON object) lacks a required parameter of
// built-in NAME, has one it does not read (with a suggestion), or one of the wrong type or range.
// `scheduled_time`, which a schedule trigger adds to every job it makes, is always accepted.
absl::Status CheckBuiltinParams(absl::string_view name, const nlohmann::json& params);

}  // namespace fanout

#endif  // FANOUT_COMMON_BUILTIN_PARAMS_H_
