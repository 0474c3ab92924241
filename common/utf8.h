// Cutting text without splitting a UTF-8 character: a cut string still goes into protobuf string
// fields (which must be valid UTF-8) and JSON.
#ifndef FANOUT_COMMON_UTF8_H_
#define FANOUT_COMMON_UTF8_H_

#include <cstddef>
#include <string>

namespace fanout {

// Shortens `s` to at most `max` bytes, backing off to the start of a character if the cut would
// fall inside one.
inline void TruncateUtf8(std::string* s, size_t max) {
  if (s->size() <= max) return;
  size_t cut = max;
  // Continuation bytes are 10xxxxxx: back up to the lead byte of the character cut in two.
  while (cut > 0 && (static_cast<unsigned char>((*s)[cut]) & 0xC0) == 0x80) --cut;
  s->resize(cut);
}

}  // namespace fanout

#endif  // FANOUT_COMMON_UTF8_H_
