#include "common/file_roots.h"

#include <filesystem>
#include <system_error>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace fanout {
namespace {

namespace fs = std::filesystem;

bool Below(const std::string& path, const std::string& dir) {
  if (dir == "/") return true;
  return path == dir || absl::StartsWith(path, dir + "/");
}

// The deepest existing ancestor resolved through every symlink, then the rest as written.
absl::StatusOr<std::string> Canonical(const fs::path& absolute) {
  const fs::path normal = absolute.lexically_normal();
  fs::path existing = normal;
  fs::path rest;
  std::error_code ec;
  while (!fs::exists(fs::symlink_status(existing, ec)) && existing.has_relative_path()) {
    rest = existing.filename() / rest;
    existing = existing.parent_path();
  }
  fs::path resolved = fs::canonical(existing, ec);
  if (ec) return absl::PermissionDeniedError(absl::StrCat(existing.string(), ": ", ec.message()));
  for (const fs::path& part : rest) {
    if (part == ".." || part == ".") {
      return absl::PermissionDeniedError("'..' below a directory that does not exist");
    }
    if (!part.empty()) resolved /= part;
  }
  return resolved.string();
}

}  // namespace

absl::StatusOr<FileRoots> FileRoots::Make(const std::vector<std::string>& roots,
                                          const std::vector<std::string>& forbidden,
                                          absl::string_view flag) {
  FileRoots out;
  out.flag_ = std::string(flag);
  for (const std::string& root : roots) {
    if (root.empty()) continue;
    std::error_code ec;
    const fs::path absolute = fs::absolute(root, ec);
    const fs::path canonical = ec ? absolute : fs::canonical(absolute, ec);
    if (ec || !fs::is_directory(canonical, ec)) {
      return absl::InvalidArgumentError(absl::StrCat(flag, ": ", root, ": ",
                                                     ec ? ec.message() : "not a directory",
                                                     " (roots are directories)"));
    }
    out.roots_.push_back(canonical.string());
  }
  for (const std::string& dir : forbidden) {
    if (dir.empty()) continue;
    std::error_code ec;
    const fs::path absolute = fs::absolute(dir, ec);
    if (ec) return absl::InvalidArgumentError(absl::StrCat(flag, ": ", dir, ": ", ec.message()));
    absl::StatusOr<std::string> canonical = Canonical(absolute);
    out.forbidden_.push_back(canonical.ok() ? *canonical : absolute.string());
  }
  return out;
}

absl::StatusOr<std::string> FileRoots::Check(absl::string_view path,
                                             absl::string_view field) const {
  if (roots_.empty()) {
    return absl::PermissionDeniedError(
        absl::StrCat(field, ": ", path, ": local files are off here; start with ", flag_,
                     "=DIR,... naming the directories jobs may read and write"));
  }
  if (!absl::StartsWith(path, "/")) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": ", path, " needs an absolute path"));
  }
  absl::StatusOr<std::string> canonical = Canonical(fs::path(std::string(path)));
  if (!canonical.ok()) {
    return absl::PermissionDeniedError(
        absl::StrCat(field, ": ", path, ": ", canonical.status().message()));
  }
  for (const std::string& dir : forbidden_) {
    if (Below(*canonical, dir)) {
      return absl::PermissionDeniedError(
          absl::StrCat(field, ": ", path, " is inside ", dir, ", which jobs may never reach"));
    }
  }
  for (const std::string& root : roots_) {
    if (Below(*canonical, root)) return *canonical;
  }
  return absl::PermissionDeniedError(absl::StrCat(field, ": ", path, " is outside the file roots (",
                                                  flag_, "=", absl::StrJoin(roots_, ","), ")"));
}

}  // namespace fanout
