// Which local paths a process may read or write on a job's behalf: files named by a job's source,
// results or items are confined to configured root directories, and some directories (the
// coordinator's data, a worker's code cache) are never reachable even below a root. Without roots
// no local file is reachable at all.
#ifndef FANOUT_COMMON_FILE_ROOTS_H_
#define FANOUT_COMMON_FILE_ROOTS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace fanout {

// Immutable and thread-safe once made.
class FileRoots {
 public:
  FileRoots() = default;
  // `roots` and `forbidden` are directories; roots must exist (errors name `flag`). Each is kept
  // as its canonical path, so a symlink cannot make a root look elsewhere.
  static absl::StatusOr<FileRoots> Make(const std::vector<std::string>& roots,
                                        const std::vector<std::string>& forbidden,
                                        absl::string_view flag);

  // The canonical form of `path` when it lies below a root and outside every forbidden directory;
  // else PERMISSION_DENIED naming `field` and the roots. The path must be absolute; it need not
  // exist (a results manifest is created later): its deepest existing ancestor is resolved,
  // symlinks included, and the rest may hold no "..".
  absl::StatusOr<std::string> Check(absl::string_view path, absl::string_view field) const;

 private:
  std::vector<std::string> roots_;
  std::vector<std::string> forbidden_;
  std::string flag_;
};

}  // namespace fanout

#endif  // FANOUT_COMMON_FILE_ROOTS_H_
