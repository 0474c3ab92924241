#include "common/builtin_params.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/suggest.h"

namespace fanout {
namespace {

using Type = BuiltinParam::Type;

const absl::flat_hash_map<std::string, std::vector<BuiltinParam>>& Declared() {
  static const auto* const kDeclared =
      new absl::flat_hash_map<std::string, std::vector<BuiltinParam>>{
          {"sleep", {{"ms", Type::kInteger, false, 0, {}, "", "milliseconds (an item's ms wins)"}}},
          {"fail",
           {{"fail",
             Type::kString,
             false,
             0,
             {"retryable", "fatal", "timeout", "invalid"},
             "",
             "how to fail"},
            {"times", Type::kInteger, false, 0, {}, "", "succeed from this attempt on"},
            {"unless_file", Type::kString, false, 0, {}, "", "succeed once this file exists"},
            {"message", Type::kString, false, 0, {}, "", "the error's message"}}},
          {"blob", {{"bytes", Type::kInteger, false, 0, {}, "", "the result's size"}}},
          {"count",
           {{"checkpoint_every", Type::kInteger, false, 1, {}, "", "steps between checkpoints"},
            {"step_us", Type::kInteger, false, 0, {}, "", "microseconds per step"},
            {"trace_dir", Type::kString, false, 0, {}, "", "where to record the steps run"}}},
          {"s3-copy",
           {{"dest", Type::kString, true, 0, {}, "s3://", "s3://bucket/prefix to copy to"},
            {"strip_prefix", Type::kString, false, 0, {}, "", "left out of the copies' keys"}}},
      };
  return *kDeclared;
}

std::string Names(const std::vector<BuiltinParam>& params) {
  std::vector<std::string> names;
  for (const BuiltinParam& p : params) names.push_back(p.name);
  return names.empty() ? "none" : absl::StrJoin(names, ", ");
}

absl::Status Bad(const std::string& key, const std::string& why) {
  return absl::InvalidArgumentError(absl::StrCat("params.", key, ": ", why));
}

absl::Status CheckValue(absl::string_view function, const BuiltinParam& p,
                        const nlohmann::json& value) {
  if (p.type == Type::kInteger) {
    if (!value.is_number_integer() || value.get<int64_t>() < p.min) {
      return Bad(p.name, absl::StrCat("builtin:", function, " needs an integer >= ", p.min,
                                      ", got ", value.dump()));
    }
    return absl::OkStatus();
  }
  if (!value.is_string()) {
    return Bad(p.name, absl::StrCat("builtin:", function, " needs a string, got ", value.dump()));
  }
  const std::string& text = value.get_ref<const std::string&>();
  if (!p.one_of.empty() && std::find(p.one_of.begin(), p.one_of.end(), text) == p.one_of.end()) {
    return Bad(p.name, absl::StrCat("'", text, "' is not one of ", absl::StrJoin(p.one_of, ", ")));
  }
  if (!absl::StartsWith(text, p.prefix)) {
    return Bad(p.name, absl::StrCat("'", text, "' is not ", p.about));
  }
  return absl::OkStatus();
}

}  // namespace

const std::vector<BuiltinParam>& BuiltinParams(absl::string_view name) {
  static const auto* const kNone = new std::vector<BuiltinParam>;
  auto it = Declared().find(name);
  return it == Declared().end() ? *kNone : it->second;
}

absl::Status CheckBuiltinParams(absl::string_view name, const nlohmann::json& params) {
  const std::vector<BuiltinParam>& declared = BuiltinParams(name);
  std::vector<std::string> names;
  for (const BuiltinParam& p : declared) names.push_back(p.name);
  for (const auto& item : params.items()) {
    const std::string& key = item.key();
    const nlohmann::json& value = item.value();
    // What a trigger tells every job it makes (a schedule's fire time): not the function's own.
    if (key == "scheduled_time") continue;
    auto it = std::find_if(declared.begin(), declared.end(),
                           [&](const BuiltinParam& p) { return p.name == key; });
    if (it == declared.end()) {
      const std::string close = Suggest(key, names);
      return Bad(key, absl::StrCat("builtin:", name, " has no such parameter",
                                   close.empty() ? "" : "; did you mean " + close + "?",
                                   " (its parameters: ", Names(declared), ")"));
    }
    if (absl::Status s = CheckValue(name, *it, value); !s.ok()) return s;
  }
  for (const BuiltinParam& p : declared) {
    if (p.required && !params.contains(p.name)) {
      return Bad(p.name, absl::StrCat("builtin:", name, " needs it: ", p.about, " (--param ",
                                      p.name, "=...)"));
    }
  }
  return absl::OkStatus();
}

}  // namespace fanout
