// A function version's declared parameters (FunctionSettings as JSON, what a client or gRPC's JSON
// transcoding would send with CreateFunction), then, after a newline, a job's parameters: the
// declarations are validated as the registry does, and the parameters checked against them as a
// submit does.
#include "common/json_text.h"
#include "coordinator/functions/function_params.h"
#include "fuzz/fuzzed.h"
#include "google/protobuf/util/json_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text = fanout::fuzz::Text(data, size);
  const size_t newline = text.find('\n');
  const absl::string_view settings_json = text.substr(0, newline);
  const absl::string_view params_json =
      newline == absl::string_view::npos ? absl::string_view("{}") : text.substr(newline + 1);
  fanout::v1::FunctionVersion version;
  version.set_name("f");
  version.set_version(1);
  if (!google::protobuf::util::JsonStringToMessage(std::string(settings_json),
                                                   version.mutable_settings())
           .ok()) {
    return 0;
  }
  if (!fanout::coordinator::ValidateParamDecls(version.settings()).ok()) return 0;
  absl::StatusOr<nlohmann::json> params = fanout::ParseJson(params_json, "params");
  if (!params.ok() || !params->is_object()) return 0;
  (void)fanout::coordinator::CheckFunctionParams(version, *params);
  return 0;
}
