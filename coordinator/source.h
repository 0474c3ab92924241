// Job sources: parses a source spec and splits it into task inputs of `batch_size` items each.
//   range:A-B    the integers A..B, both ends included (A and B may be negative)
//   [ ... ]      an inline JSON list; each element is one item
// Errors are INVALID_ARGUMENT and name the `source` field.
#ifndef FANOUT_COORDINATOR_SOURCE_H_
#define FANOUT_COORDINATOR_SOURCE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace fanout::coordinator {

// Sources are expanded eagerly for now; this bounds the memory one submission may take.
inline constexpr uint64_t kMaxSourceItems = 5'000'000;

// Each element is one task's items, each item a JSON value.
using TaskInputs = std::vector<std::vector<std::string>>;

absl::StatusOr<TaskInputs> SplitSource(absl::string_view source, uint32_t batch_size);

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_SOURCE_H_
