#include "coordinator/splitter.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/json_text.h"
#include "common/limits.h"
#include "nlohmann/json.hpp"

namespace fanout::coordinator {
namespace {

absl::Status Bad(absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("source: ", why));
}

class RangeSplitter : public Splitter {
 public:
  RangeSplitter(int64_t first, uint64_t count, uint32_t batch)
      : first_(first), count_(count), batch_(batch) {}
  uint64_t task_count() const override { return (count_ + batch_ - 1) / batch_; }
  uint64_t item_count() const override { return count_; }
  std::vector<std::string> TaskItems(uint64_t index) const override {
    const uint64_t begin = index * batch_;
    const uint64_t end = std::min(count_, begin + batch_);
    std::vector<std::string> items;
    items.reserve(end - begin);
    for (uint64_t i = begin; i < end; ++i) {
      items.push_back(absl::StrCat(first_ + static_cast<int64_t>(i)));
    }
    return items;
  }
  Largest LargestItem() const override { return {0, count_ == 0 ? 0 : size_t{20}}; }

 private:
  const int64_t first_;
  const uint64_t count_;
  const uint32_t batch_;
};

// Tasks are cut by count and by bytes; `starts_` holds where each begins (one integer per task).
class ListSplitter : public Splitter {
 public:
  ListSplitter(std::vector<std::string> items, uint32_t batch) : items_(std::move(items)) {
    size_t count = 0, bytes = 0;
    for (size_t i = 0; i < items_.size(); ++i) {
      const size_t n = items_[i].size();
      if (n > largest_.bytes) largest_ = {i, n};
      if (i == 0 || !TaskHasRoom(count, bytes, n, batch)) {
        starts_.push_back(i);
        count = bytes = 0;
      }
      ++count;
      bytes += n;
    }
  }
  uint64_t task_count() const override { return starts_.size(); }
  uint64_t item_count() const override { return items_.size(); }
  std::vector<std::string> TaskItems(uint64_t index) const override {
    const size_t begin = starts_[index];
    const size_t end = index + 1 < starts_.size() ? starts_[index + 1] : items_.size();
    return std::vector<std::string>(items_.begin() + begin, items_.begin() + end);
  }
  Largest LargestItem() const override { return largest_; }

 private:
  const std::vector<std::string> items_;
  std::vector<uint64_t> starts_;
  Largest largest_;
};

absl::StatusOr<std::unique_ptr<Splitter>> MakeRange(absl::string_view spec, uint32_t batch) {
  // The separator is the first '-' after the first character, so "-5-5" reads as -5..5.
  const size_t dash = spec.size() > 1 ? spec.find('-', 1) : absl::string_view::npos;
  int64_t first = 0, last = 0;
  if (dash == absl::string_view::npos || !absl::SimpleAtoi(spec.substr(0, dash), &first) ||
      !absl::SimpleAtoi(spec.substr(dash + 1), &last)) {
    return Bad(absl::StrCat("'range:", spec, "' is not range:A-B with integers A <= B"));
  }
  if (first > last) return Bad(absl::StrCat("range:", spec, " is empty: ", first, " > ", last));
  const uint64_t count = static_cast<uint64_t>(last) - static_cast<uint64_t>(first) + 1;
  if (count == 0) return Bad(absl::StrCat("range:", spec, " has more than 2^64 items"));
  return std::make_unique<RangeSplitter>(first, count, batch);
}

absl::StatusOr<std::unique_ptr<Splitter>> MakeList(absl::string_view text, uint32_t batch) {
  absl::StatusOr<nlohmann::json> list = ParseJson(text, "source: the inline list");
  if (!list.ok()) return list.status();
  if (!list->is_array()) return Bad("an inline source must be a JSON list");
  std::vector<std::string> items;
  items.reserve(list->size());
  for (const nlohmann::json& item : *list) items.push_back(DumpJson(item));
  return std::make_unique<ListSplitter>(std::move(items), batch);
}

}  // namespace

bool TaskHasRoom(size_t count, size_t bytes, size_t item_bytes, uint32_t batch) {
  return count < std::max<uint32_t>(batch, 1) &&
         (count == 0 || bytes + item_bytes <= kDefaultMaxTaskBytes);
}

absl::StatusOr<std::unique_ptr<Splitter>> MakeSplitter(absl::string_view source,
                                                       uint32_t batch_size) {
  if (batch_size == 0) batch_size = 1;
  absl::string_view spec = absl::StripAsciiWhitespace(source);
  if (spec.empty()) {
    return Bad(
        "missing; expected range:A-B, a JSON list, @FILE, jsonl:PATH, csv:PATH, dir:PATH, "
        "s3://BUCKET/PREFIX or s3-manifest://BUCKET/KEY");
  }
  if (absl::ConsumePrefix(&spec, "range:")) return MakeRange(spec, batch_size);
  if (spec.front() == '[') return MakeList(spec, batch_size);
  const size_t colon = spec.find(':');
  return Bad(absl::StrCat("unknown kind '",
                          colon == absl::string_view::npos ? spec : spec.substr(0, colon),
                          "'; expected range:A-B, a JSON list, jsonl:PATH, csv:PATH, dir:PATH, "
                          "s3://bucket/prefix or s3-manifest://bucket/key"));
}

}  // namespace fanout::coordinator
