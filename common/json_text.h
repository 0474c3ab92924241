// JSON that comes from outside the process (sources, events, parameters, results, configs) is
// parsed here and nowhere else, under one policy: never an exception, no nesting deeper than
// kMaxJsonDepth (the serializer and the copy constructor recurse, so a 100,000-deep list would
// overflow the stack), text that is not UTF-8 named as such. Serializing never throws either.
#ifndef FANOUT_COMMON_JSON_TEXT_H_
#define FANOUT_COMMON_JSON_TEXT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace fanout {

// Deep enough for any real document (S3 events nest 4 levels, Lambda payloads rarely 10).
inline constexpr int kMaxJsonDepth = 64;

// INVALID_ARGUMENT naming `what` when `text` is not UTF-8, not JSON, or nested deeper than
// `max_depth` arrays and objects.
absl::StatusOr<nlohmann::json> ParseJson(absl::string_view text, absl::string_view what,
                                         int max_depth = kMaxJsonDepth);

// Whether `text` is one JSON value within the policy (cheaper than ParseJson: builds nothing).
bool IsJsonText(absl::string_view text, int max_depth = kMaxJsonDepth);

// Fields of a parsed object, read without throwing (nlohmann's value() throws on a type it cannot
// convert): `fallback` when `object` is no object, or the field is missing or of another type.
std::string StringField(const nlohmann::json& object, const char* key, std::string fallback = "");
uint64_t UintField(const nlohmann::json& object, const char* key, uint64_t fallback = 0);

// Compact JSON. Never throws: a string that is not UTF-8 (which ParseJson and CheckUtf8 keep out
// of every value this project builds) is written with U+FFFD in place of its bad bytes.
std::string DumpJson(const nlohmann::json& value);

}  // namespace fanout

#endif  // FANOUT_COMMON_JSON_TEXT_H_
