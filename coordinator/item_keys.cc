#include "coordinator/item_keys.h"

#include "absl/container/flat_hash_set.h"
#include "common/json_text.h"
#include "nlohmann/json.hpp"

namespace fanout::coordinator {

absl::StatusOr<size_t> LeaveOutKnownItems(const KeyLookup& find, v1::JobSpec* spec,
                                          std::unique_ptr<Splitter>* splitter,
                                          std::optional<uint64_t>* known) {
  // The keys first (this runs under the store's lock): the list is parsed again only when an
  // item must go, which a batch of new events never needs.
  absl::flat_hash_set<absl::string_view> distinct;
  std::vector<std::optional<uint64_t>> owners;
  owners.reserve(spec->item_keys_size());
  bool any_out = false;
  for (const std::string& key : spec->item_keys()) {
    absl::StatusOr<std::optional<uint64_t>> owner = find(key);
    if (!owner.ok()) return owner.status();
    any_out |= !distinct.insert(key).second || owner->has_value();
    owners.push_back(*owner);
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
    if (owners[i] && !*known) *known = owners[i];
    if (owners[i] || !seen.insert(key).second) continue;
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
