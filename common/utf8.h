// UTF-8 for text that crosses the process boundary. Protobuf string fields and JSON must hold
// well-formed UTF-8: bytes that are not (a Latin-1 CSV, a file name, a percent-decoded key) are
// found here, before they reach a serializer that would throw or a parser that would refuse the
// record (docs/guarantees.md, "Bad input").
#ifndef FANOUT_COMMON_UTF8_H_
#define FANOUT_COMMON_UTF8_H_

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

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

// The offset of the first byte that does not belong to well-formed UTF-8 (RFC 3629: no overlong
// forms, no surrogates, nothing past U+10FFFF), or npos when all of `bytes` is well formed.
size_t FirstInvalidUtf8(absl::string_view bytes);

inline bool IsValidUtf8(absl::string_view bytes) {
  return FirstInvalidUtf8(bytes) == absl::string_view::npos;
}

// `bytes` made safe to show in a message: well-formed characters as they are, every other byte as
// \xNN, control characters escaped, cut after `max` bytes of input ("..." marks the cut).
std::string Printable(absl::string_view bytes, size_t max = 120);

// OK, or INVALID_ARGUMENT "<what>: not valid UTF-8 (byte 0xFC at offset 17 in "alice,Z\xfcrich")".
absl::Status CheckUtf8(absl::string_view bytes, absl::string_view what);

// `bytes` with every byte that is not well-formed UTF-8 replaced by U+FFFD: for messages and
// previews only, never for data that must round-trip.
std::string ReplaceInvalidUtf8(absl::string_view bytes);

}  // namespace fanout

#endif  // FANOUT_COMMON_UTF8_H_
