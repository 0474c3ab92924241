// jsonl:PATH, csv:PATH and dir:PATH — sources on the coordinator's own filesystem.
#include "coordinator/sources/file_sources.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/json_text.h"
#include "common/utf8.h"
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
  FileManifestSource(bool csv, std::string name, std::string path, size_t max_item_bytes)
      : csv_(csv),
        name_(std::move(name)),
        path_(std::move(path)),
        max_item_bytes_(max_item_bytes) {}

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
    absl::StatusOr<SourceBatch> batch =
        ReadManifest(csv_, name_, read, cursor, max, max_item_bytes_);
    close(fd);
    return batch;
  }

 private:
  const bool csv_;
  const std::string name_;
  const std::string path_;
  const size_t max_item_bytes_;
};

// Every regular file below a directory, in path order (a depth-first walk with each directory's
// entries sorted), so that the cursor — the last path handed out — says where to go on.
class DirSource : public SequentialSource {
 public:
  DirSource(std::string root, uint64_t split_bytes) : root_(std::move(root)), split_(split_bytes) {}

  absl::StatusOr<SourceBatch> Next(absl::string_view cursor, size_t max) override {
    Walk walk{max, {}};
    DecodeCursor(cursor, &walk);
    std::error_code ec;
    if (!Visit(fs::path(root_), walk, /*root=*/true, ec)) {
      return absl::UnavailableError(absl::StrCat("source: dir:", root_, ": ", ec.message()));
    }
    SourceBatch out;
    out.items = std::move(walk.items);
    out.done = !walk.full;
    out.cursor = EncodeCursor(walk);
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

  // The cursor names the last path handed out. A file name need not be UTF-8 (it is bytes to the
  // kernel), so such a name is kept in base64: the listing resumes exactly after it.
  static std::string EncodeCursor(const Walk& walk) {
    const std::string& path = walk.last.native();
    json c = {{"next_part", walk.last_next_part}};
    if (IsValidUtf8(path)) {
      c["path"] = path;
    } else {
      c["path_base64"] = absl::Base64Escape(path);
    }
    return DumpJson(c);
  }

  static void DecodeCursor(absl::string_view cursor, Walk* walk) {
    absl::StatusOr<json> c = ParseJson(cursor, "cursor");
    if (!c.ok() || !c->is_object()) return;
    std::string path;
    if (auto it = c->find("path"); it != c->end() && it->is_string()) {
      path = it->get<std::string>();
    } else if (auto b64 = c->find("path_base64"); b64 != c->end() && b64->is_string()) {
      absl::Base64Unescape(b64->get<std::string>(), &path);
    }
    walk->after = fs::path(path);
    if (auto it = c->find("next_part"); it != c->end() && it->is_number_unsigned()) {
      walk->next_part = it->get<uint64_t>();
    }
  }

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
      Failed(
          dir,
          absl::StrCat("cannot read directory ", Printable(dir.native(), 4096), ": ", ec.message()),
          0, walk);
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
        } else if (!walk.after.empty() && p < walk.after) {
          continue;
        }
        walk.after.clear();
        VisitFile(e, first_part, walk, ec);
      }
      if (walk.full) return true;
    }
    return true;
  }

  // The items of one file from part `first_part` on. A file that can be no item — its name is not
  // UTF-8, or it cannot be read (gone since it was listed) — is one failed item, handed out once.
  void VisitFile(const fs::directory_entry& e, uint64_t first_part, Walk& walk,
                 std::error_code& ec) {
    const fs::path& p = e.path();
    std::string bad;
    uint64_t size = 0;
    if (!IsValidUtf8(p.native())) {
      bad = absl::StrCat("file name is not valid UTF-8: \"", Printable(p.native(), 4096),
                         "\" (rename it to UTF-8 to process it)");
    } else if (size = e.file_size(ec); ec) {
      bad = absl::StrCat("cannot read ", p.native(), ": ", ec.message());
      ec.clear();
    }
    if (!bad.empty()) {
      if (first_part == 0) Failed(p, std::move(bad), 1, walk);
      return;
    }
    json base = {{"path", p.native()}, {"size", size}};
    const uint64_t parts = PartCount(size, split_);
    for (uint64_t part = first_part; part < parts; ++part) {
      if (walk.items.size() >= walk.max) {
        walk.full = true;
        return;
      }
      walk.items.push_back({DumpJson(ItemPart(base, size, split_, part)), std::nullopt});
      walk.last = p;
      walk.last_next_part = part + 1;
    }
  }

  // An item for `path` that fails with `why`; the cursor moves past it (`next_part` 1 for a file:
  // its one part is handed out).
  void Failed(const fs::path& path, std::string why, uint64_t next_part, Walk& walk) {
    if (walk.items.size() >= walk.max) {
      walk.full = true;
      return;
    }
    walk.items.push_back(
        {DumpJson(json{{"path", ReplaceInvalidUtf8(path.native())}}), std::move(why)});
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
                                                                         absl::string_view path,
                                                                         size_t max_item_bytes) {
  struct stat st;
  if (stat(std::string(path).c_str(), &st) != 0) return Bad(spec, std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return Bad(spec, "not a regular file");
  if (access(std::string(path).c_str(), R_OK) != 0) return Bad(spec, std::strerror(errno));
  return std::make_unique<FileManifestSource>(csv, std::string(spec), std::string(path),
                                              max_item_bytes);
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
