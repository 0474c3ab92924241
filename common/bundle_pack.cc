// Packing a directory into a reproducible tarball, and the digest that names a bundle.
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/bundle.h"

namespace fanout {
namespace {

absl::Status Failed(absl::string_view what, archive* a) {
  return absl::InternalError(absl::StrCat("pack: ", what, ": ", archive_error_string(a)));
}

// Every entry under `dir`, relative, sorted (directories before what they hold).
absl::StatusOr<std::vector<std::string>> Tree(const std::string& dir) {
  std::error_code error;
  std::filesystem::recursive_directory_iterator it(dir, error), end;
  if (error) return absl::InvalidArgumentError(absl::StrCat("code: ", dir, ": ", error.message()));
  std::vector<std::string> out;
  for (; it != end; it.increment(error)) {
    if (error) return absl::InvalidArgumentError(absl::StrCat("code: ", error.message()));
    // Lexically: relative() would resolve a symlink to what it points at.
    out.push_back(it->path().lexically_relative(dir).string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

absl::Status AddEntry(archive* a, const std::string& dir, const std::string& rel, uint64_t& total) {
  const std::string full = dir + "/" + rel;
  struct stat st {};
  if (::lstat(full.c_str(), &st) != 0) {
    return absl::InvalidArgumentError(absl::StrCat("code: ", full, ": ", std::strerror(errno)));
  }
  std::unique_ptr<archive_entry, void (*)(archive_entry*)> entry(archive_entry_new(),
                                                                 archive_entry_free);
  archive_entry_set_pathname(entry.get(), rel.c_str());
  archive_entry_set_perm(entry.get(), st.st_mode & 0777);
  std::string target;
  if (S_ISREG(st.st_mode)) {
    archive_entry_set_filetype(entry.get(), AE_IFREG);
    archive_entry_set_size(entry.get(), st.st_size);
    total += static_cast<uint64_t>(st.st_size);
    if (total > kMaxUnpackedBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("code: ", dir, " holds over ", kMaxUnpackedBytes, " bytes"));
    }
  } else if (S_ISDIR(st.st_mode)) {
    archive_entry_set_filetype(entry.get(), AE_IFDIR);
  } else if (S_ISLNK(st.st_mode)) {
    target = std::filesystem::read_symlink(full).string();
    archive_entry_set_filetype(entry.get(), AE_IFLNK);
    archive_entry_set_symlink(entry.get(), target.c_str());
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("code: ", full, ": not a file, directory or symlink"));
  }
  if (archive_write_header(a, entry.get()) != ARCHIVE_OK) return Failed(rel, a);
  if (!S_ISREG(st.st_mode)) return absl::OkStatus();
  std::ifstream in(full, std::ios::binary);
  char buf[64 * 1024];
  while (in.read(buf, sizeof(buf)) || in.gcount() > 0) {
    if (archive_write_data(a, buf, static_cast<size_t>(in.gcount())) < 0) return Failed(rel, a);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status PackDirectory(const std::string& dir, const std::string& out) {
  absl::StatusOr<std::vector<std::string>> tree = Tree(dir);
  if (!tree.ok()) return tree.status();
  std::unique_ptr<archive, int (*)(archive*)> a(archive_write_new(), archive_write_free);
  archive_write_set_format_pax_restricted(a.get());
  archive_write_add_filter_gzip(a.get());
  archive_write_set_options(a.get(), "gzip:!timestamp");  // the same tree, the same bytes
  if (archive_write_open_filename(a.get(), out.c_str()) != ARCHIVE_OK) return Failed(out, a.get());
  uint64_t total = 0;
  for (const std::string& rel : *tree) {
    if (absl::Status s = AddEntry(a.get(), dir, rel, total); !s.ok()) return s;
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK) return Failed(out, a.get());
  return absl::OkStatus();
}

absl::StatusOr<std::string> FileSha256(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot be read"));
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  char buf[64 * 1024];
  while (in.read(buf, sizeof(buf)) || in.gcount() > 0) {
    EVP_DigestUpdate(ctx.get(), buf, static_cast<size_t>(in.gcount()));
  }
  unsigned char digest[32];
  unsigned int size = 0;
  EVP_DigestFinal_ex(ctx.get(), digest, &size);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(digest), size));
}

}  // namespace fanout
