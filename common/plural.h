// "1 task", "7 tasks": a count and its noun, in the number the count needs.
#ifndef FANOUT_COMMON_PLURAL_H_
#define FANOUT_COMMON_PLURAL_H_

#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace fanout {

// `noun` is the singular, and its plural adds an s (task, request, worker, version).
inline std::string Counted(uint64_t n, absl::string_view noun) {
  return absl::StrCat(n, " ", noun, n == 1 ? "" : "s");
}

}  // namespace fanout

#endif  // FANOUT_COMMON_PLURAL_H_
