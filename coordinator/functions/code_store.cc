#include "coordinator/functions/code_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/bundle.h"

namespace fanout::coordinator {
namespace {

absl::Status SyncDir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return absl::InternalError(absl::StrCat("open ", dir, ": ", std::strerror(errno)));
  const int r = ::fsync(fd);
  ::close(fd);
  if (r != 0) return absl::InternalError(absl::StrCat("fsync ", dir, ": ", std::strerror(errno)));
  return absl::OkStatus();
}

}  // namespace

bool IsSha256Hex(absl::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!absl::ascii_isdigit(c) && !(c >= 'a' && c <= 'f')) return false;
  }
  return true;
}

absl::StatusOr<std::unique_ptr<CodeStore>> CodeStore::Open(const std::string& dir,
                                                           uint64_t max_bundle_bytes) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return absl::InternalError(absl::StrCat("mkdir ", dir, ": ", std::strerror(errno)));
  }
  return std::unique_ptr<CodeStore>(new CodeStore(dir, max_bundle_bytes));
}

absl::StatusOr<std::unique_ptr<CodeStore::Upload>> CodeStore::StartUpload() {
  static std::atomic<uint64_t> next{0};
  const std::string temp = absl::StrCat(dir_, "/.upload-", ::getpid(), "-", next.fetch_add(1));
  std::FILE* file = std::fopen(temp.c_str(), "wbx");
  if (file == nullptr) {
    return absl::InternalError(absl::StrCat("create ", temp, ": ", std::strerror(errno)));
  }
  return std::unique_ptr<Upload>(new Upload(*this, temp, file));
}

CodeStore::Upload::~Upload() {
  if (file_ != nullptr) std::fclose(file_);
  if (!committed_) ::unlink(temp_.c_str());
}

absl::Status CodeStore::Upload::Append(absl::string_view bytes) {
  bytes_ += bytes.size();
  if (bytes_ > store_.max_bytes_) {
    return absl::InvalidArgumentError(absl::StrCat("code: the bundle is over ", store_.max_bytes_,
                                                   " bytes packed (Lambda's limit)"));
  }
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) {
    return absl::InternalError(absl::StrCat("write ", temp_, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::CodeRef> CodeStore::Upload::Commit() {
  if (bytes_ == 0) return absl::InvalidArgumentError("code: the bundle is empty");
  if (std::fflush(file_) != 0 || ::fsync(fileno(file_)) != 0) {
    return absl::InternalError(absl::StrCat("sync ", temp_, ": ", std::strerror(errno)));
  }
  std::fclose(file_);
  file_ = nullptr;
  absl::StatusOr<BundleSummary> summary = InspectBundle(temp_);
  if (!summary.ok()) return summary.status();
  absl::StatusOr<std::string> sha = FileSha256(temp_);
  if (!sha.ok()) return sha.status();
  const std::string final_path = absl::StrCat(store_.dir_, "/", *sha);
  if (std::rename(temp_.c_str(), final_path.c_str()) != 0) {
    return absl::InternalError(absl::StrCat("rename to ", final_path, ": ", std::strerror(errno)));
  }
  committed_ = true;
  if (absl::Status synced = SyncDir(store_.dir_); !synced.ok()) return synced;
  v1::CodeRef ref;
  ref.set_sha256(*sha);
  ref.set_bytes(bytes_);
  ref.set_unpacked_bytes(summary->unpacked_bytes);
  ref.set_has_bootstrap(summary->has_bootstrap);
  absl::MutexLock lock(&store_.mu_);
  store_.known_[ref.sha256()] = ref;
  return ref;
}

absl::StatusOr<std::string> CodeStore::PathOf(const std::string& sha256) const {
  if (!IsSha256Hex(sha256)) {
    return absl::InvalidArgumentError("code_sha256: not 64 lowercase hex digits");
  }
  const std::string path = absl::StrCat(dir_, "/", sha256);
  if (::access(path.c_str(), R_OK) != 0) {
    return absl::NotFoundError(absl::StrCat("no code bundle ", sha256, " is stored"));
  }
  return path;
}

absl::StatusOr<v1::CodeRef> CodeStore::Describe(const std::string& sha256) const {
  absl::StatusOr<std::string> path = PathOf(sha256);
  if (!path.ok()) return path.status();
  {
    absl::MutexLock lock(&mu_);
    if (auto it = known_.find(sha256); it != known_.end()) return it->second;
  }
  absl::StatusOr<BundleSummary> summary = InspectBundle(*path);
  if (!summary.ok()) return summary.status();
  struct stat st {};
  ::stat(path->c_str(), &st);
  v1::CodeRef ref;
  ref.set_sha256(sha256);
  ref.set_bytes(static_cast<uint64_t>(st.st_size));
  ref.set_unpacked_bytes(summary->unpacked_bytes);
  ref.set_has_bootstrap(summary->has_bootstrap);
  absl::MutexLock lock(&mu_);
  known_[sha256] = ref;
  return ref;
}

}  // namespace fanout::coordinator
