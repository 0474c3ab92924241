#include "common/bundle.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/utf8.h"

namespace fanout {
namespace {

struct ReaderCloser {
  void operator()(archive* a) const { archive_read_free(a); }
};
struct WriterCloser {
  void operator()(archive* a) const { archive_write_free(a); }
};
using Reader = std::unique_ptr<archive, ReaderCloser>;
using Writer = std::unique_ptr<archive, WriterCloser>;

absl::Status Bad(absl::string_view entry, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("code bundle: ", entry, ": ", why));
}

// `path` made relative and lexically normal ("./a//b" -> "a/b"); an error when it is absolute or
// climbs out with "..".
absl::StatusOr<std::string> SafeRelative(absl::string_view path, absl::string_view what) {
  if (absl::StartsWith(path, "/")) return Bad(what, "an absolute path");
  std::vector<std::string> parts;
  for (absl::string_view part : absl::StrSplit(path, '/', absl::SkipEmpty())) {
    if (part == ".") continue;
    if (part == "..") {
      if (parts.empty()) return Bad(what, "a path that leaves the bundle ('..')");
      parts.pop_back();
      continue;
    }
    parts.emplace_back(part);
  }
  return absl::StrJoin(parts, "/");
}

using Links = absl::flat_hash_set<std::string>;  // the symlink entries seen so far

// True when a directory on the way to `path` (not `path` itself) is one of `links`: what is written
// there would land where the link points.
bool ThroughLink(absl::string_view path, const Links& links) {
  for (size_t slash = path.find('/'); slash != absl::string_view::npos;
       slash = path.find('/', slash + 1)) {
    if (links.contains(path.substr(0, slash))) return true;
  }
  return false;
}

// Resolves `target` from directory `parent` as the file system would, step by step; an error when
// it leaves the bundle or passes through another link (whose own target the text does not show:
// `a -> .` then `s -> a/../..` reads as inside and is not).
absl::Status CheckLinkTarget(const std::string& parent, absl::string_view target,
                             absl::string_view what, const Links& links) {
  if (absl::StartsWith(target, "/")) {
    return Bad(what, absl::StrCat("a link to '", target, "', outside the bundle"));
  }
  std::vector<std::string> parts;
  if (!parent.empty()) parts = absl::StrSplit(parent, '/', absl::SkipEmpty());
  std::vector<absl::string_view> steps = absl::StrSplit(target, '/', absl::SkipEmpty());
  for (size_t i = 0; i < steps.size(); ++i) {
    if (steps[i] == ".") continue;
    if (steps[i] == "..") {
      if (parts.empty())
        return Bad(what, absl::StrCat("a link to '", target, "', outside the bundle"));
      parts.pop_back();
      continue;
    }
    parts.emplace_back(steps[i]);
    if (i + 1 < steps.size() && links.contains(absl::StrJoin(parts, "/"))) {
      return Bad(what, absl::StrCat("a link to '", target, "' through another link"));
    }
  }
  return absl::OkStatus();
}

// Checks one entry; returns its normal relative path ("" for the top directory itself).
absl::StatusOr<std::string> CheckEntry(archive_entry* entry, Links& links) {
  const char* raw = archive_entry_pathname(entry);
  if (raw == nullptr || *raw == '\0') return Bad("(entry)", "no name");
  if (!CheckUtf8(raw, "name").ok()) return Bad(ReplaceInvalidUtf8(raw), "a name that is not UTF-8");
  if (absl::StrContains(raw, "..")) {
    for (absl::string_view part : absl::StrSplit(raw, '/')) {
      if (part == "..") return Bad(raw, "a path with '..'");
    }
  }
  absl::StatusOr<std::string> path = SafeRelative(raw, raw);
  if (!path.ok()) return path.status();
  if (ThroughLink(*path, links)) return Bad(raw, "inside a directory that is a symlink");
  const mode_t type = archive_entry_filetype(entry);
  if (const char* link = archive_entry_hardlink(entry); link != nullptr) {
    if (absl::Status s = CheckLinkTarget("", link, raw, links); !s.ok()) return s;
    absl::StatusOr<std::string> to = SafeRelative(link, raw);
    if (!to.ok() || links.contains(*to) || ThroughLink(*to, links)) {
      return Bad(raw, absl::StrCat("a hard link to '", link, "' through a symlink"));
    }
  } else if (type == AE_IFLNK) {
    const char* target = archive_entry_symlink(entry);
    if (target == nullptr) return Bad(raw, "a symlink without a target");
    const std::string parent =
        path->find('/') == std::string::npos ? "" : path->substr(0, path->rfind('/'));
    if (absl::Status s = CheckLinkTarget(parent, target, raw, links); !s.ok()) return s;
    links.insert(*path);
  } else if (type != AE_IFREG && type != AE_IFDIR) {
    return Bad(raw, "not a file, directory or symlink");
  }
  return path;
}

absl::StatusOr<Reader> Open(const std::string& path) {
  Reader a(archive_read_new());
  archive_read_support_filter_all(a.get());
  archive_read_support_format_zip(a.get());
  archive_read_support_format_tar(a.get());
  archive_read_support_format_gnutar(a.get());
  if (archive_read_open_filename(a.get(), path.c_str(), 64 * 1024) != ARCHIVE_OK) {
    return absl::InvalidArgumentError(
        absl::StrCat("code bundle: not a zip or tarball (", archive_error_string(a.get()), ")"));
  }
  return a;
}

// Walks every entry: `each(entry, path)` for the checked ones, sizes counted as they are read.
template <typename Each>
absl::Status Walk(const std::string& bundle, uint64_t max_unpacked, BundleSummary& summary,
                  Each each) {
  absl::StatusOr<Reader> a = Open(bundle);
  if (!a.ok()) return a.status();
  archive_entry* entry = nullptr;
  Links links;
  while (true) {
    const int r = archive_read_next_header(a->get(), &entry);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
      return absl::InvalidArgumentError(
          absl::StrCat("code bundle: unreadable (", archive_error_string(a->get()), ")"));
    }
    if (++summary.entries > kMaxBundleEntries) {
      return Bad("(bundle)", absl::StrCat("more than ", kMaxBundleEntries, " entries"));
    }
    absl::StatusOr<std::string> path = CheckEntry(entry, links);
    if (!path.ok()) return path.status();
    if (*path == "bootstrap" && archive_entry_filetype(entry) == AE_IFREG &&
        (archive_entry_perm(entry) & 0111) != 0) {
      summary.has_bootstrap = true;
    }
    if (absl::Status s = each(a->get(), entry, *path, summary, max_unpacked); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status CountData(archive* a, archive_entry*, const std::string& path, BundleSummary& summary,
                       uint64_t max_unpacked) {
  char buf[64 * 1024];
  while (true) {
    const la_ssize_t n = archive_read_data(a, buf, sizeof(buf));
    if (n == 0) return absl::OkStatus();
    if (n < 0) return Bad(path, archive_error_string(a));
    summary.unpacked_bytes += static_cast<uint64_t>(n);
    if (summary.unpacked_bytes > max_unpacked) {
      return Bad(path, absl::StrCat("unpacked, the bundle is over ", max_unpacked, " bytes"));
    }
  }
}

}  // namespace

absl::StatusOr<BundleSummary> InspectBundle(const std::string& path, uint64_t max_unpacked) {
  BundleSummary summary;
  if (absl::Status s = Walk(path, max_unpacked, summary, CountData); !s.ok()) return s;
  return summary;
}

absl::Status UnpackBundle(const std::string& path, const std::string& given_dest,
                          uint64_t max_unpacked) {
  // libarchive refuses to write through any symlink on the way, the destination's own included:
  // a cache under a symlinked home is named by its real path.
  std::unique_ptr<char, decltype(&std::free)> real(::realpath(given_dest.c_str(), nullptr),
                                                   &std::free);
  if (real == nullptr) {
    return absl::InternalError(absl::StrCat("unpack: ", given_dest, ": ", std::strerror(errno)));
  }
  const std::string dest = real.get();
  Writer out(archive_write_disk_new());
  archive_write_disk_set_options(
      // Entry names were checked (relative, no "..") before `dest` was put in front of them.
      out.get(),
      ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT);
  BundleSummary summary;
  return Walk(path, max_unpacked, summary,
              [&](archive* in, archive_entry* entry, const std::string& rel, BundleSummary& s,
                  uint64_t limit) -> absl::Status {
                if (rel.empty()) return CountData(in, entry, rel, s, limit);
                archive_entry_set_pathname(entry, absl::StrCat(dest, "/", rel).c_str());
                if (const char* link = archive_entry_hardlink(entry); link != nullptr) {
                  archive_entry_set_hardlink(
                      entry, absl::StrCat(dest, "/", *SafeRelative(link, rel)).c_str());
                }
                // Readable by all (the sandbox runs functions as another user; the cache dir
                // above is the worker's alone), executable by all if by its owner, never
                // writable by others nor setuid.
                const mode_t floor = archive_entry_filetype(entry) == AE_IFDIR ? 0755 : 0644;
                mode_t perm = (archive_entry_perm(entry) & 0755) | floor;
                if (perm & 0100) perm |= 0011;
                archive_entry_set_perm(entry, perm);
                archive_entry_set_uid(entry, ::getuid());
                archive_entry_set_gid(entry, ::getgid());
                if (archive_write_header(out.get(), entry) != ARCHIVE_OK) {
                  // The worker's disk (full, no permission), not the bundle: may pass.
                  return absl::InternalError(
                      absl::StrCat("unpack ", rel, ": ", archive_error_string(out.get())));
                }
                char buf[64 * 1024];
                while (true) {
                  const la_ssize_t n = archive_read_data(in, buf, sizeof(buf));
                  if (n == 0) break;
                  if (n < 0) return Bad(rel, archive_error_string(in));
                  s.unpacked_bytes += static_cast<uint64_t>(n);
                  if (s.unpacked_bytes > limit) {
                    return Bad(rel, absl::StrCat("unpacked, the bundle is over ", limit, " bytes"));
                  }
                  if (archive_write_data(out.get(), buf, static_cast<size_t>(n)) < 0) {
                    return absl::InternalError(
                        absl::StrCat("unpack ", rel, ": ", archive_error_string(out.get())));
                  }
                }
                if (archive_write_finish_entry(out.get()) != ARCHIVE_OK) {
                  return absl::InternalError(
                      absl::StrCat("unpack ", rel, ": ", archive_error_string(out.get())));
                }
                return absl::OkStatus();
              });
}

}  // namespace fanout
