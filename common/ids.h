// Random identifiers for workers and requests: unguessable enough that two processes never collide.
#ifndef FANOUT_COMMON_IDS_H_
#define FANOUT_COMMON_IDS_H_

#include <string>

#include "absl/random/random.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace fanout {

// `prefix` followed by `bytes` random bytes in hex.
inline std::string RandomId(absl::string_view prefix = "", int bytes = 8) {
  thread_local absl::BitGen gen;
  std::string raw(bytes, '\0');
  for (char& c : raw) c = static_cast<char>(absl::Uniform<int>(gen, 0, 256));
  return absl::StrCat(prefix, absl::BytesToHexString(raw));
}

}  // namespace fanout

#endif  // FANOUT_COMMON_IDS_H_
