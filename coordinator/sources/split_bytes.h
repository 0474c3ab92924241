// --split_bytes: one item per byte range of each object or file, so that one big object is worked
// on by many tasks at once. Each part's item is the whole object's item plus "part", "parts" and
// "range": {"first", "last"} (inclusive, as in an HTTP Range header).
#ifndef FANOUT_COORDINATOR_SOURCES_SPLIT_BYTES_H_
#define FANOUT_COORDINATOR_SOURCES_SPLIT_BYTES_H_

#include <cstdint>

#include "nlohmann/json.hpp"

namespace fanout::coordinator {

// How many items an object of `size` bytes becomes: 1 without splitting (or when empty).
inline uint64_t PartCount(uint64_t size, uint64_t split_bytes) {
  if (split_bytes == 0 || size == 0) return 1;
  return (size + split_bytes - 1) / split_bytes;
}

inline nlohmann::json ItemPart(nlohmann::json item, uint64_t size, uint64_t split_bytes,
                               uint64_t part) {
  if (split_bytes == 0 || size == 0) return item;
  const uint64_t first = part * split_bytes;
  const uint64_t last = std::min(size, first + split_bytes) - 1;
  item["part"] = part;
  item["parts"] = PartCount(size, split_bytes);
  item["range"] = {{"first", first}, {"last", last}};
  return item;
}

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_SOURCES_SPLIT_BYTES_H_
