// Small helpers the fuzz harnesses share: the input as text, and a few bytes of it as choices.
#ifndef FANOUT_FUZZ_FUZZED_H_
#define FANOUT_FUZZ_FUZZED_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace fanout::fuzz {

inline absl::string_view Text(const uint8_t* data, size_t size) {
  return absl::string_view(reinterpret_cast<const char*>(data), size);
}

// Takes the first byte of `text` as a choice (0 when empty) and drops it.
inline uint8_t TakeByte(absl::string_view* text) {
  if (text->empty()) return 0;
  const uint8_t b = static_cast<uint8_t>(text->front());
  text->remove_prefix(1);
  return b;
}

}  // namespace fanout::fuzz

#endif  // FANOUT_FUZZ_FUZZED_H_
