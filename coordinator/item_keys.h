// Per-item idempotency (JobSpec.item_keys): a trigger's batch of events is one job, yet an event
// that reached an earlier job (a redelivery landing in another batch) must not run again.
#ifndef FANOUT_COORDINATOR_ITEM_KEYS_H_
#define FANOUT_COORDINATOR_ITEM_KEYS_H_

#include <functional>
#include <memory>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "coordinator/splitter.h"
#include "proto/fanout.pb.h"

namespace fanout::coordinator {

// The job (its seq) that a key made before, if any.
using KeyLookup = std::function<absl::StatusOr<std::optional<uint64_t>>(absl::string_view key)>;

// Leaves out of `spec` (an inline list with item_keys) the items whose key `find` knows, or that
// repeat a key earlier in the list, and rebuilds `splitter` over what is left. Sets `*known` to the
// job of the first known key. Returns how many items were left out.
absl::StatusOr<size_t> LeaveOutKnownItems(const KeyLookup& find, v1::JobSpec* spec,
                                          std::unique_ptr<Splitter>* splitter,
                                          std::optional<uint64_t>* known);

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_ITEM_KEYS_H_
