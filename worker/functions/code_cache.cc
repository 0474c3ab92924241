#include "worker/functions/code_cache.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/bundle.h"
#include "glog/logging.h"

namespace fanout::worker {
namespace {

// Written last: a directory without it was cut short (a crash mid-unpack) and is made again.
constexpr char kDoneMarker[] = "/unpacked";

bool IsDigest(const std::string& s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

}  // namespace

absl::StatusOr<std::unique_ptr<CodeCache>> CodeCache::Open(std::string dir, uint64_t max_bytes,
                                                           Fetcher fetch, OnEvict on_evict) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error)
    return absl::FailedPreconditionError(absl::StrCat("--cache_dir: ", dir, ": ", error.message()));
  const std::string lock = dir + "/.lock";
  const int fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0 || ::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (fd >= 0) ::close(fd);
    return absl::FailedPreconditionError(absl::StrCat(
        "--cache_dir: ", dir, " is in use by another worker (each worker needs its own)"));
  }
  std::unique_ptr<CodeCache> cache(
      new CodeCache(std::move(dir), max_bytes, std::move(fetch), std::move(on_evict)));
  cache->lock_fd_ = fd;
  cache->LoadExisting();
  return cache;
}

CodeCache::CodeCache(std::string dir, uint64_t max_bytes, Fetcher fetch, OnEvict on_evict)
    : dir_(std::move(dir)),
      max_bytes_(max_bytes),
      fetch_(std::move(fetch)),
      on_evict_(std::move(on_evict)) {}

CodeCache::~CodeCache() {
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

std::string CodeCache::CodeDir(const std::string& sha256) const {
  return absl::StrCat(dir_, "/", sha256, "/code");
}

void CodeCache::LoadExisting() {
  std::error_code error;
  absl::MutexLock lock(&mu_);
  for (const auto& item : std::filesystem::directory_iterator(dir_, error)) {
    const std::string name = item.path().filename().string();
    if (name == ".lock") continue;
    std::ifstream marker(item.path().string() + kDoneMarker);
    std::string size_text;
    uint64_t size = 0;
    if (IsDigest(name) && marker >> size_text && absl::SimpleAtoi(size_text, &size)) {
      entries_[name] = Entry{size, 0, absl::Now()};
      bytes_ += size;
    } else {
      std::filesystem::remove_all(item.path(), error);  // half made, or not ours to keep
    }
  }
}

absl::Status CodeCache::Fetch(const std::string& sha256, uint64_t* bytes) {
  const std::string root = absl::StrCat(dir_, "/", sha256);
  std::error_code error;
  std::filesystem::remove_all(root, error);
  std::filesystem::create_directories(root + "/code", error);
  if (error) return absl::InternalError(absl::StrCat("cache: ", root, ": ", error.message()));
  const std::string bundle = root + "/bundle";
  absl::Status fetched = fetch_(sha256, bundle);
  absl::StatusOr<std::string> digest = fetched.ok() ? FileSha256(bundle) : fetched;
  if (digest.ok() && *digest != sha256) {
    digest =
        absl::DataLossError(absl::StrCat("code bundle ", sha256, " arrived with digest ", *digest));
  }
  absl::Status unpacked = digest.ok() ? UnpackBundle(bundle, root + "/code") : digest.status();
  std::filesystem::remove(bundle, error);
  if (!unpacked.ok()) {
    std::filesystem::remove_all(root, error);
    return unpacked;
  }
  *bytes = 0;
  for (const auto& f : std::filesystem::recursive_directory_iterator(root + "/code", error)) {
    if (f.is_regular_file(error)) *bytes += f.file_size(error);
  }
  std::ofstream(root + kDoneMarker) << *bytes << "\n";
  return absl::OkStatus();
}

absl::StatusOr<std::string> CodeCache::Pin(const std::string& sha256) {
  if (!IsDigest(sha256)) return absl::InvalidArgumentError("code_sha256: not a digest");
  {
    absl::MutexLock lock(&mu_);
    auto it = entries_.find(sha256);
    if (it != entries_.end()) {
      ++it->second.pins;
      it->second.last_used = absl::Now();
      return CodeDir(sha256);
    }
  }
  absl::MutexLock fetching(&fetch_mu_);
  {
    absl::MutexLock lock(&mu_);  // fetched by another slot while this one waited?
    auto it = entries_.find(sha256);
    if (it != entries_.end()) {
      ++it->second.pins;
      it->second.last_used = absl::Now();
      return CodeDir(sha256);
    }
  }
  uint64_t bytes = 0;
  if (absl::Status s = Fetch(sha256, &bytes); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  MakeRoom(bytes);
  entries_[sha256] = Entry{bytes, 1, absl::Now()};
  bytes_ += bytes;
  LOG(INFO) << "code " << sha256.substr(0, 12) << " cached: " << bytes << " bytes unpacked, "
            << bytes_ << " in the cache";
  return CodeDir(sha256);
}

void CodeCache::Unpin(const std::string& sha256) {
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(sha256);
  if (it != entries_.end() && it->second.pins > 0) {
    --it->second.pins;
    it->second.last_used = absl::Now();
  }
}

void CodeCache::MakeRoom(uint64_t incoming) {
  while (bytes_ + incoming > max_bytes_) {
    auto victim = entries_.end();
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->second.pins == 0 &&
          (victim == entries_.end() || it->second.last_used < victim->second.last_used)) {
        victim = it;
      }
    }
    if (victim == entries_.end()) return;  // everything is in use: go over rather than fail
    if (on_evict_) on_evict_(CodeDir(victim->first));
    std::error_code error;
    std::filesystem::remove_all(absl::StrCat(dir_, "/", victim->first), error);
    LOG(INFO) << "code " << victim->first.substr(0, 12) << " evicted from the cache";
    bytes_ -= victim->second.bytes;
    entries_.erase(victim);
  }
}

uint64_t CodeCache::bytes() const {
  absl::MutexLock lock(&mu_);
  return bytes_;
}

}  // namespace fanout::worker
