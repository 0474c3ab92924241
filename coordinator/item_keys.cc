#include "coordinator/item_keys.h"

#include "absl/container/flat_hash_set.h"
#include "common/json_text.h"
#include "nlohmann/json.hpp"

namespace fanout::coordinator {

absl::StatusOr<size_t> LeaveOutKnownItems(
    const std::function<const v1::Job*(absl::string_view key)>& find, v1::JobSpec* spec,
    std::unique_ptr<Splitter>* splitter, const v1::Job** known) {
  // The keys first (this runs under the store's lock): the list is parsed again only when an
  // item must go, which a batch of new events never needs.
  absl::flat_hash_set<absl::string_view> distinct;
  bool any_out = false;
  for (const std::string& key : spec->item_keys()) {
    any_out |= !distinct.insert(key).second || find(key) != nullptr;
  }
  if (!any_out) return 0;
  absl::StatusOr<nlohmann::json> items = ParseJson(spec->source(), "source");
  if (!items.ok()) return items.status();
  if (!items->is_array() || items->size() != static_cast<size_t>(spec->item_keys_size())) {
    return absl::InvalidArgumentError("item_keys: one key per item of an inline JSON list");
  }
  nlohmann::json kept = nlohmann::json::array();
  std::vector<std::string> kept_keys;
  absl::flat_hash_set<std::string> seen;
  for (int i = 0; i < spec->item_keys_size(); ++i) {
    const std::string& key = spec->item_keys(i);
    const v1::Job* job = find(key);
    if (job != nullptr && *known == nullptr) *known = job;
    if (job != nullptr || !seen.insert(key).second) continue;
    kept.push_back(std::move((*items)[i]));
    kept_keys.push_back(key);
  }
  const size_t left_out = spec->item_keys_size() - kept_keys.size();
  if (left_out == 0) return 0;
  if (kept_keys.empty()) {  // every item is known: no job to make
    spec->clear_item_keys();
    return left_out;
  }
  spec->set_source(DumpJson(kept));
  spec->clear_item_keys();
  for (std::string& key : kept_keys) spec->add_item_keys(std::move(key));
  absl::StatusOr<std::unique_ptr<Splitter>> rebuilt =
      MakeSplitter(spec->source(), spec->options().batch_size());
  if (!rebuilt.ok()) return rebuilt.status();
  *splitter = std::move(*rebuilt);
  return left_out;
}

}  // namespace fanout::coordinator
