// Function code bundles: a directory packed as a tarball, a zip (Lambda's format) or a tarball,
// read and written with libarchive. A bundle is checked before it is kept or unpacked: regular
// files, directories and symlinks only; no absolute path, no `..`, no symlink or hard link that
// points outside the bundle; within the size limits (Lambda's: 50 MiB packed, 250 MiB unpacked).
// Unix permissions are kept, so a `bootstrap` stays executable.
#ifndef FANOUT_COMMON_BUNDLE_H_
#define FANOUT_COMMON_BUNDLE_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace fanout {

inline constexpr uint64_t kMaxBundleBytes = 50ull << 20;
inline constexpr uint64_t kMaxUnpackedBytes = 250ull << 20;
inline constexpr uint64_t kMaxBundleEntries = 100000;

struct BundleSummary {
  uint64_t entries = 0;
  uint64_t unpacked_bytes = 0;
  bool has_bootstrap = false;  // an executable `bootstrap` at the top
};

// Checks the bundle at `path` (any format libarchive reads); INVALID_ARGUMENT naming the entry
// and why.
absl::StatusOr<BundleSummary> InspectBundle(const std::string& path,
                                            uint64_t max_unpacked = kMaxUnpackedBytes);

// Unpacks the bundle at `path` into the directory `dest` (which must exist and be empty), checking
// as InspectBundle does.
absl::Status UnpackBundle(const std::string& path, const std::string& dest,
                          uint64_t max_unpacked = kMaxUnpackedBytes);

// Packs the directory `dir` into a gzipped tarball at `out`: entries sorted, times and owners
// zeroed, so that the same tree always makes the same bytes (and the same digest).
absl::Status PackDirectory(const std::string& dir, const std::string& out);

// The SHA-256 of the file at `path`, in hex.
absl::StatusOr<std::string> FileSha256(const std::string& path);

}  // namespace fanout

#endif  // FANOUT_COMMON_BUNDLE_H_
