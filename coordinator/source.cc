#include "coordinator/source.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "nlohmann/json.hpp"

namespace fanout::coordinator {
namespace {

absl::Status Bad(absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("source: ", why));
}

void AddItem(std::string item, uint32_t batch_size, TaskInputs* out) {
  if (out->empty() || out->back().size() >= batch_size) out->emplace_back().reserve(batch_size);
  out->back().push_back(std::move(item));
}

absl::StatusOr<TaskInputs> SplitRange(absl::string_view spec, uint32_t batch_size) {
  // The separator is the first '-' after the first character, so "-5-5" reads as -5..5.
  const size_t dash = spec.size() > 1 ? spec.find('-', 1) : absl::string_view::npos;
  int64_t first = 0, last = 0;
  if (dash == absl::string_view::npos || !absl::SimpleAtoi(spec.substr(0, dash), &first) ||
      !absl::SimpleAtoi(spec.substr(dash + 1), &last)) {
    return Bad(absl::StrCat("'range:", spec, "' is not range:A-B with integers A <= B"));
  }
  if (first > last) return Bad(absl::StrCat("range:", spec, " is empty: ", first, " > ", last));
  const uint64_t count = static_cast<uint64_t>(last - first) + 1;
  if (count > kMaxSourceItems || count == 0) {
    return Bad(absl::StrCat("range:", spec, " has ", count, " items; at most ", kMaxSourceItems,
                            " per job"));
  }
  TaskInputs out;
  out.reserve((count + batch_size - 1) / batch_size);
  for (int64_t i = first;; ++i) {
    AddItem(absl::StrCat(i), batch_size, &out);
    if (i == last) break;
  }
  return out;
}

absl::StatusOr<TaskInputs> SplitJsonList(absl::string_view text, uint32_t batch_size) {
  nlohmann::json list = nlohmann::json::parse(text.begin(), text.end(), nullptr,
                                              /*allow_exceptions=*/false);
  if (list.is_discarded()) return Bad("the inline list is not valid JSON");
  if (!list.is_array()) return Bad("an inline source must be a JSON list");
  if (list.size() > kMaxSourceItems) {
    return Bad(absl::StrCat("the inline list has ", list.size(), " items; at most ",
                            kMaxSourceItems));
  }
  TaskInputs out;
  for (const nlohmann::json& item : list) AddItem(item.dump(), batch_size, &out);
  return out;
}

}  // namespace

absl::StatusOr<TaskInputs> SplitSource(absl::string_view source, uint32_t batch_size) {
  if (batch_size == 0) batch_size = 1;
  absl::string_view spec = absl::StripAsciiWhitespace(source);
  if (spec.empty()) return Bad("missing; expected range:A-B or a JSON list");
  if (absl::ConsumePrefix(&spec, "range:")) return SplitRange(spec, batch_size);
  if (spec.front() == '[') return SplitJsonList(spec, batch_size);
  const size_t colon = spec.find(':');
  return Bad(absl::StrCat("unknown kind '",
                          colon == absl::string_view::npos ? spec : spec.substr(0, colon),
                          "'; expected range:A-B or a JSON list"));
}

}  // namespace fanout::coordinator
