// Splitters turn a job's source into tasks lazily: the coordinator materializes a window of tasks
// ahead of the workers instead of the whole job, so a job of millions of items starts at once and
// holds bounded memory. The sources here are deterministic and random-access — task i's items
// follow from the spec alone — so tasks that were never leased need no record on disk: recovery
// re-derives them from the spec.
//   range:A-B    the integers A..B, both ends included (A and B may be negative)
//   [ ... ]      an inline JSON list; each element is one item (parsed under common/json_text.h's
//                policy: nested at most 64 deep, UTF-8)
// Errors are INVALID_ARGUMENT and name the `source` field.
#ifndef FANOUT_COORDINATOR_SPLITTER_H_
#define FANOUT_COORDINATOR_SPLITTER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace fanout::coordinator {

// Thread-compatible; immutable after construction. Owned by TaskTable (one per running job).
class Splitter {
 public:
  virtual ~Splitter() = default;
  virtual uint64_t task_count() const = 0;
  virtual uint64_t item_count() const = 0;
  // The items (JSON values) of task `index` < task_count().
  virtual std::vector<std::string> TaskItems(uint64_t index) const = 0;
  // The size in bytes of the largest item and its index (0, 0 when there is none): what submit
  // checks against --max_item_bytes.
  struct Largest {
    uint64_t index = 0;
    size_t bytes = 0;
  };
  virtual Largest LargestItem() const = 0;
};

// Whether a task of `count` items, `bytes` in all, takes one more of `item_bytes`: a task holds
// at most `batch` items and, past its first, at most kDefaultMaxTaskBytes (a batch of big items
// becomes several smaller tasks instead of one no call could carry).
bool TaskHasRoom(size_t count, size_t bytes, size_t item_bytes, uint32_t batch);

absl::StatusOr<std::unique_ptr<Splitter>> MakeSplitter(absl::string_view source,
                                                       uint32_t batch_size);

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_SPLITTER_H_
