// jsonl:PATH, csv:PATH and dir:PATH — sources on the coordinator's own filesystem.
#include "coordinator/sources/file_sources.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "coordinator/sources/record_reader.h"
#include "coordinator/sources/split_bytes.h"
#include "nlohmann/json.hpp"

namespace fanout::coordinator {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

absl::Status Bad(absl::string_view spec, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("source: ", spec, ": ", why));
}

class FileManifestSource : public SequentialSource {
 public:
  FileManifestSource(bool csv, std::string name, std::string path)
      : csv_(csv), name_(std::move(name)), path_(std::move(path)) {}

  absl::StatusOr<SourceBatch> Next(absl::string_view cursor, size_t max) override {
    const int fd = open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Bad(name_, std::strerror(errno));
    ReadBlock read = [&](uint64_t offset, size_t n) -> absl::StatusOr<std::string> {
      std::string block(n, '\0');
      const ssize_t got = pread(fd, block.data(), n, static_cast<off_t>(offset));
      if (got < 0) return absl::UnavailableError(absl::StrCat(name_, ": ", std::strerror(errno)));
      block.resize(got);
      return block;
    };
    absl::StatusOr<SourceBatch> batch = ReadManifest(csv_, name_, read, cursor, max);
    close(fd);
    return batch;
  }

 private:
  const bool csv_;
  const std::string name_;
  const std::string path_;
};

// Every regular file below a directory, in path order (a depth-first walk with each directory's
// entries sorted), so that the cursor — the last path handed out — says where to go on.
class DirSource : public SequentialSource {
 public:
  DirSource(std::string root, uint64_t split_bytes) : root_(std::move(root)), split_(split_bytes) {}

  absl::StatusOr<SourceBatch> Next(absl::string_view cursor, size_t max) override {
    Walk walk{max, {}};
    json c = json::parse(cursor.begin(), cursor.end(), nullptr, false);
    if (c.is_object()) {
      walk.after = fs::path(c.value("path", std::string()));
      walk.next_part = c.value("next_part", uint64_t{0});
    }
    std::error_code ec;
    if (!Visit(fs::path(root_), walk, /*root=*/true, ec)) {
      return absl::UnavailableError(absl::StrCat("source: dir:", root_, ": ", ec.message()));
    }
    SourceBatch out;
    out.items = std::move(walk.items);
    out.done = !walk.full;
    out.cursor = json{{"path", walk.last.string()}, {"next_part", walk.last_next_part}}.dump();
    return out;
  }

 private:
  struct Walk {
    size_t max;
    std::vector<SourceItem> items;
    fs::path after;  // resume after this file (and its parts before next_part)
    uint64_t next_part = 0;
    fs::path last;
    uint64_t last_next_part = 0;
    bool full = false;
  };

  // False when the root cannot be read; stops early once `walk.max` items are taken (walk.full).
  // A directory below the root that cannot be read becomes an item that fails, naming it and why:
  // the rest of the tree is still walked.
  bool Visit(const fs::path& dir, Walk& walk, bool root, std::error_code& ec) {
    std::vector<fs::directory_entry> entries;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      entries.push_back(*it);
    }
    if (ec && root) return false;
    if (ec) {
      Failed(dir, absl::StrCat("cannot read directory ", dir.string(), ": ", ec.message()), 0,
             walk);
      ec.clear();
      return true;
    }
    std::sort(entries.begin(), entries.end());
    for (const fs::directory_entry& e : entries) {
      const fs::path& p = e.path();
      // Skip what the cursor says was handed out already: paths that sort before it, except the
      // directories that lead to it.
      if (!walk.after.empty() && p < walk.after && !IsAncestor(p, walk.after)) continue;
      if (e.is_symlink(ec)) continue;  // not followed: no loops, no escaping the tree
      if (e.is_directory(ec)) {
        if (p == walk.after) {  // handed out already, as unreadable
          walk.after.clear();
          continue;
        }
        Visit(p, walk, /*root=*/false, ec);
      } else if (e.is_regular_file(ec)) {
        uint64_t first_part = 0;
        if (p == walk.after) {
          first_part = walk.next_part;
          walk.after.clear();
        } else if (!walk.after.empty() && p < walk.after) {
          continue;
        }
        walk.after.clear();
        const uint64_t size = e.file_size(ec);
        if (ec) {  // gone since it was listed, or unreadable: one failed item, not a bogus size
          Failed(p, absl::StrCat("cannot read ", p.string(), ": ", ec.message()), 1, walk);
          ec.clear();
          if (walk.full) return true;
          continue;
        }
        json base = {{"path", p.string()}, {"size", size}};
        const uint64_t parts = PartCount(size, split_);
        for (uint64_t part = first_part; part < parts; ++part) {
          if (walk.items.size() >= walk.max) {
            walk.full = true;
            return true;
          }
          walk.items.push_back({ItemPart(base, size, split_, part).dump(), std::nullopt});
          walk.last = p;
          walk.last_next_part = part + 1;
        }
      }
      if (walk.full) return true;
    }
    return true;
  }

  // An item for `path` that fails with `why`; the cursor moves past it (`next_part` 1 for a file:
  // its one part is handed out).
  void Failed(const fs::path& path, std::string why, uint64_t next_part, Walk& walk) {
    if (walk.items.size() >= walk.max) {
      walk.full = true;
      return;
    }
    walk.items.push_back({json{{"path", path.string()}}.dump(), std::move(why)});
    walk.last = path;
    walk.last_next_part = next_part;
  }

  static bool IsAncestor(const fs::path& dir, const fs::path& p) {
    auto d = dir.begin(), q = p.begin();
    for (; d != dir.end(); ++d, ++q) {
      if (q == p.end() || *d != *q) return false;
    }
    return true;
  }

  const std::string root_;
  const uint64_t split_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<SequentialSource>> MakeManifestFileSource(bool csv,
                                                                         absl::string_view spec,
                                                                         absl::string_view path) {
  struct stat st;
  if (stat(std::string(path).c_str(), &st) != 0) return Bad(spec, std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return Bad(spec, "not a regular file");
  if (access(std::string(path).c_str(), R_OK) != 0) return Bad(spec, std::strerror(errno));
  return std::make_unique<FileManifestSource>(csv, std::string(spec), std::string(path));
}

absl::StatusOr<std::unique_ptr<SequentialSource>> MakeDirSource(absl::string_view spec,
                                                                absl::string_view path,
                                                                uint64_t split_bytes) {
  std::error_code ec;
  if (!fs::is_directory(fs::path(std::string(path)), ec)) {
    return Bad(spec, ec ? ec.message() : "not a directory");
  }
  return std::make_unique<DirSource>(std::string(path), split_bytes);
}

}  // namespace fanout::coordinator
