// Per-item idempotency keys of a trigger's batch: items whose key is known (keys starting with
// "k") or repeated are left out, and the rest split again.
#include "absl/strings/str_split.h"
#include "coordinator/item_keys.h"
#include "fuzz/fuzzed.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view text = fanout::fuzz::Text(data, size);
  const size_t newline = text.find('\n');
  fanout::v1::JobSpec spec;
  spec.set_source(std::string(text.substr(0, newline)));
  if (newline != absl::string_view::npos) {
    for (absl::string_view key : absl::StrSplit(text.substr(newline + 1), '\n')) {
      spec.add_item_keys(std::string(key));
    }
  }
  spec.mutable_options()->set_batch_size(2);
  absl::StatusOr<std::unique_ptr<fanout::coordinator::Splitter>> splitter =
      fanout::coordinator::MakeSplitter(spec.source(), 2);
  if (!splitter.ok()) return 0;
  auto find = [](absl::string_view key) -> absl::StatusOr<std::optional<uint64_t>> {
    if (!key.empty() && key.front() == 'k') return std::optional<uint64_t>(7);
    return std::optional<uint64_t>();
  };
  std::optional<uint64_t> known;
  (void)fanout::coordinator::LeaveOutKnownItems(find, &spec, &*splitter, &known);
  return 0;
}
