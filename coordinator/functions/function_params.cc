#include "coordinator/functions/function_params.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/suggest.h"

namespace fanout::coordinator {
namespace {

constexpr int kMaxParams = 64;
constexpr size_t kMaxNameBytes = 64;
const std::vector<std::string>& Types() {
  static const auto* const kTypes = new std::vector<std::string>{
      "string", "integer", "number", "boolean", "object", "array", "any"};
  return *kTypes;
}

bool NameChar(char c) { return absl::ascii_isalnum(c) || c == '_' || c == '.' || c == '-'; }

bool OfType(const nlohmann::json& value, const std::string& type) {
  if (type == "string") return value.is_string();
  if (type == "integer") return value.is_number_integer();
  if (type == "number") return value.is_number();
  if (type == "boolean") return value.is_boolean();
  if (type == "object") return value.is_object();
  if (type == "array") return value.is_array();
  return true;  // any
}

absl::Status Bad(const std::string& key, const std::string& why) {
  return absl::InvalidArgumentError(absl::StrCat("params.", key, ": ", why));
}

}  // namespace

absl::Status ValidateParamDecls(const v1::FunctionSettings& settings) {
  if (settings.params_size() > kMaxParams) {
    return absl::InvalidArgumentError(
        absl::StrCat("params: ", settings.params_size(), " declared, at most ", kMaxParams));
  }
  absl::flat_hash_set<std::string> seen;
  for (int i = 0; i < settings.params_size(); ++i) {
    const v1::ParamDecl& p = settings.params(i);
    const std::string where = absl::StrCat("params[", i, "]: ");
    if (p.name().empty() || p.name().size() > kMaxNameBytes ||
        !std::all_of(p.name().begin(), p.name().end(), NameChar)) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, "a name of 1 to ", kMaxNameBytes, " letters, digits, '_', '.' or '-' is needed"));
    }
    if (!seen.insert(p.name()).second) {
      return absl::InvalidArgumentError(absl::StrCat(where, p.name(), " is declared twice"));
    }
    if (std::find(Types().begin(), Types().end(), p.type()) == Types().end()) {
      const std::string close = Suggest(p.type(), Types());
      const std::string shown =
          p.type().size() <= 32 ? absl::StrCat("type '", p.type(), "'") : std::string("its type");
      return absl::InvalidArgumentError(absl::StrCat(
          where, p.name(), ": ", shown, " is not one of ", absl::StrJoin(Types(), ", "),
          close.empty() ? "" : "; did you mean " + close + "?"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckFunctionParams(const v1::FunctionVersion& version, const nlohmann::json& params) {
  const auto& declared = version.settings().params();
  if (declared.empty()) return absl::OkStatus();
  const std::string fn = absl::StrCat(version.name(), ":", version.version());
  std::vector<std::string> names;
  for (const v1::ParamDecl& p : declared) names.push_back(p.name());
  for (const auto& item : params.items()) {
    if (item.key() == "scheduled_time") continue;  // a schedule trigger's, for every job it makes
    auto it = std::find_if(declared.begin(), declared.end(),
                           [&](const v1::ParamDecl& p) { return p.name() == item.key(); });
    if (it == declared.end()) {
      const std::string close = Suggest(item.key(), names);
      return Bad(item.key(), absl::StrCat(fn, " declares no such parameter",
                                          close.empty() ? "" : "; did you mean " + close + "?",
                                          " (its parameters: ", absl::StrJoin(names, ", "), ")"));
    }
    if (!OfType(item.value(), it->type())) {
      return Bad(item.key(), absl::StrCat(fn, " declares it ", it->type(), ", got ",
                                          item.value().dump(-1, ' ', true).substr(0, 64)));
    }
  }
  for (const v1::ParamDecl& p : declared) {
    if (p.required() && !params.contains(p.name())) {
      return Bad(p.name(),
                 absl::StrCat(fn, " needs it (", p.type(), "; --param ", p.name(), "=...)"));
    }
  }
  return absl::OkStatus();
}

}  // namespace fanout::coordinator
