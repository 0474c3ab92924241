#include "common/utf8.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace fanout {
namespace {

// The length of the well-formed character at `bytes[i]`, or 0 if none starts there.
size_t CharLength(absl::string_view bytes, size_t i) {
  const auto at = [&](size_t k) { return static_cast<uint8_t>(bytes[k]); };
  const uint8_t b0 = at(i);
  if (b0 < 0x80) return 1;
  size_t n;
  uint8_t lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3;
    if (b0 == 0xE0) lo = 0xA0;  // overlong
    if (b0 == 0xED) hi = 0x9F;  // surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4;
    if (b0 == 0xF0) lo = 0x90;  // overlong
    if (b0 == 0xF4) hi = 0x8F;  // past U+10FFFF
  } else {
    return 0;
  }
  if (i + n > bytes.size()) return 0;
  if (at(i + 1) < lo || at(i + 1) > hi) return 0;
  for (size_t k = 2; k < n; ++k) {
    if ((at(i + k) & 0xC0) != 0x80) return 0;
  }
  return n;
}

}  // namespace

size_t FirstInvalidUtf8(absl::string_view bytes) {
  size_t i = 0;
  while (i < bytes.size()) {
    // ASCII runs are the common case: skip them a byte at a time without the table walk.
    if (static_cast<uint8_t>(bytes[i]) < 0x80) {
      ++i;
      continue;
    }
    const size_t n = CharLength(bytes, i);
    if (n == 0) return i;
    i += n;
  }
  return absl::string_view::npos;
}

std::string Printable(absl::string_view bytes, size_t max) {
  std::string out;
  const absl::string_view shown = bytes.substr(0, max);
  for (size_t i = 0; i < shown.size();) {
    const uint8_t b = static_cast<uint8_t>(shown[i]);
    const size_t n = CharLength(shown, i);
    if (n > 1) {
      out.append(shown.data() + i, n);
      i += n;
      continue;
    }
    if (n == 1 && b >= 0x20 && b != 0x7F && b != '\\' && b != '"') {
      out.push_back(static_cast<char>(b));
    } else if (b == '\n') {
      out += "\\n";
    } else if (b == '\\' || b == '"') {
      out.push_back('\\');
      out.push_back(static_cast<char>(b));
    } else {
      absl::StrAppendFormat(&out, "\\x%02x", b);
    }
    ++i;
  }
  if (bytes.size() > max) out += "...";
  return out;
}

absl::Status CheckUtf8(absl::string_view bytes, absl::string_view what) {
  const size_t bad = FirstInvalidUtf8(bytes);
  if (bad == absl::string_view::npos) return absl::OkStatus();
  // Show the bytes around the first bad one: enough to find it in the file.
  const size_t from = bad > 40 ? bad - 40 : 0;
  return absl::InvalidArgumentError(absl::StrFormat(
      "%s: not valid UTF-8 (byte 0x%02X at offset %d in \"%s\")", what,
      static_cast<uint8_t>(bytes[bad]), bad, Printable(bytes.substr(from), bad - from + 40)));
}

std::string ReplaceInvalidUtf8(absl::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (size_t i = 0; i < bytes.size();) {
    const size_t n = CharLength(bytes, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(bytes.data() + i, n);
      i += n;
    }
  }
  return out;
}

}  // namespace fanout
