// A small file a flag names (a certificate, a key, a token): read whole, or an error naming the
// flag and why. Over 1 MiB is refused: no such file is that big, and a wrong path to a large file
// must not be read into memory.
#ifndef FANOUT_COMMON_FLAG_FILE_H_
#define FANOUT_COMMON_FLAG_FILE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace fanout {

absl::StatusOr<std::string> ReadFlagFile(const std::string& path, absl::string_view flag);

}  // namespace fanout

#endif  // FANOUT_COMMON_FLAG_FILE_H_
