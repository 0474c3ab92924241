// Internal to the trigger config's parser (config.cc and the files it keeps its policies in):
// the reader of one JSON object's fields, and the parsers those files provide.
#ifndef FANOUT_TRIGGER_CONFIG_FIELDS_H_
#define FANOUT_TRIGGER_CONFIG_FIELDS_H_

#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "trigger/config.h"

namespace fanout::trigger {

// Reads the fields of one JSON object, remembering which were seen so that a misspelt field is an
// error rather than silently ignored.
class Fields {
 public:
  Fields(const nlohmann::json& object, std::string where)
      : object_(object), where_(std::move(where)) {}

  absl::Status Error(absl::string_view field, absl::string_view why) const {
    return absl::InvalidArgumentError(absl::StrCat(where_, field, ": ", why));
  }
  const nlohmann::json* Find(const std::string& field) {
    seen_.insert(field);
    auto it = object_.find(field);
    return it == object_.end() || it->is_null() ? nullptr : &*it;
  }
  absl::Status String(const std::string& field, std::string* out, bool required = false) {
    const nlohmann::json* v = Find(field);
    if (v == nullptr) return required ? Error(field, "required") : absl::OkStatus();
    if (!v->is_string()) return Error(field, "must be a string");
    *out = v->get<std::string>();
    if (required && out->empty()) return Error(field, "must not be empty");
    return absl::OkStatus();
  }
  absl::Status Count(const std::string& field, uint64_t max, uint64_t* out) {
    const nlohmann::json* v = Find(field);
    if (v == nullptr) return absl::OkStatus();
    if (!v->is_number_unsigned() || v->get<uint64_t>() < 1 || v->get<uint64_t>() > max) {
      return Error(field, absl::StrCat("must be a whole number from 1 to ", max));
    }
    *out = v->get<uint64_t>();
    return absl::OkStatus();
  }
  absl::Status Duration(const std::string& field, absl::Duration* out) {
    std::string text;
    if (absl::Status s = String(field, &text); !s.ok() || text.empty()) return s;
    if (!absl::ParseDuration(text, out) || *out <= absl::ZeroDuration()) {
      return Error(field, absl::StrCat("'", text, "' is not a positive duration like 30s or 5m"));
    }
    return absl::OkStatus();
  }
  // Every field of the object must have been asked for.
  absl::Status NoOthers() const {
    for (const auto& [key, value] : object_.items()) {
      if (!seen_.count(key)) {
        return Error(key, absl::StrCat("unknown field (known: ", absl::StrJoin(seen_, ", "), ")"));
      }
    }
    return absl::OkStatus();
  }

 private:
  const nlohmann::json& object_;
  const std::string where_;
  std::set<std::string> seen_;
};

// A webhook rule's "auth" object (config_auth.cc), reading secrets named by secret_env.
absl::Status ParseWebhookAuth(const nlohmann::json& object, const std::string& where, Rule* rule);

}  // namespace fanout::trigger

#endif  // FANOUT_TRIGGER_CONFIG_FIELDS_H_
