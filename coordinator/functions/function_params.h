// The parameters a user's function declares (FunctionSettings.params, `fanout function create
// --declare_params`), checked when a version is created and against each job at submit: a job
// whose parameters cannot work is refused before any of its tasks runs, as built-ins' are
// (common/builtin_params.h). A version that declares none takes any parameters.
#ifndef FANOUT_COORDINATOR_FUNCTIONS_FUNCTION_PARAMS_H_
#define FANOUT_COORDINATOR_FUNCTIONS_FUNCTION_PARAMS_H_

#include "absl/status/status.h"
#include "nlohmann/json.hpp"
#include "proto/function_service.pb.h"

namespace fanout::coordinator {

// INVALID_ARGUMENT naming params[i] when a declaration has no name, a name used twice or not
// made of letters, digits and _.-, or a type not among string, integer, number, boolean, object,
// array and any; at most 64 declarations.
absl::Status ValidateParamDecls(const v1::FunctionSettings& settings);

// INVALID_ARGUMENT naming params.KEY when `params` (a JSON object) lacks a required parameter of
// `version`, has one it does not declare (with a suggestion), or one of the wrong type.
// `scheduled_time`, which a schedule trigger adds to every job it makes, is always accepted.
absl::Status CheckFunctionParams(const v1::FunctionVersion& version, const nlohmann::json& params);

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_FUNCTIONS_FUNCTION_PARAMS_H_
