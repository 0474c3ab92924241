#include "coordinator/lease_tokens.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/base/internal/endian.h"
#include "absl/strings/str_cat.h"

namespace fanout::coordinator {
namespace {

constexpr size_t kKeyBytes = 32;
constexpr size_t kTokenBytes = 16;

std::string RandomKey() {
  std::string key(kKeyBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), kKeyBytes) != 1) abort();
  return key;
}

absl::Status Errno(absl::string_view what, const std::string& path) {
  return absl::UnavailableError(absl::StrCat(what, " ", path, ": ", std::strerror(errno)));
}

// Written whole and synced under another name, then renamed into place and its directory synced:
// a crash leaves either no key or the whole key, and a key a grant was signed with is never
// replaced by a power cut.
absl::StatusOr<std::string> CreateKey(const std::string& path) {
  const std::string key = RandomKey();
  const std::string staged = path + ".new";
  const int fd = open(staged.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("cannot create", staged);
  const bool ok =
      write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size()) && fsync(fd) == 0;
  close(fd);
  if (!ok || rename(staged.c_str(), path.c_str()) != 0) return Errno("cannot write", path);
  const std::string dir = path.substr(0, path.rfind('/') + 1);
  const int dir_fd = open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    fsync(dir_fd);
    close(dir_fd);
  }
  return key;
}

}  // namespace

absl::StatusOr<LeaseTokens> LeaseTokens::FromKeyFile(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno != ENOENT) return Errno("cannot open", path);
  if (fd < 0) {
    absl::StatusOr<std::string> made = CreateKey(path);
    if (!made.ok()) return made.status();
    return LeaseTokens(*made);
  }
  std::string key(kKeyBytes + 1, '\0');
  const ssize_t got = read(fd, key.data(), key.size());
  close(fd);
  if (got != static_cast<ssize_t>(kKeyBytes)) {
    return absl::DataLossError(
        absl::StrCat(path, ": the lease key is ", got, " bytes, not ", kKeyBytes));
  }
  key.resize(kKeyBytes);
  return LeaseTokens(key);
}

LeaseTokens LeaseTokens::Random() { return LeaseTokens(RandomKey()); }

LeaseTokens::LeaseTokens(absl::string_view key) {
  unsigned char ipad[SHA256_CBLOCK], opad[SHA256_CBLOCK];
  for (size_t i = 0; i < SHA256_CBLOCK; ++i) {
    const unsigned char k = i < key.size() ? static_cast<unsigned char>(key[i]) : 0;
    ipad[i] = k ^ 0x36;
    opad[i] = k ^ 0x5c;
  }
  SHA256_Init(&inner_);
  SHA256_Update(&inner_, ipad, sizeof(ipad));
  SHA256_Init(&outer_);
  SHA256_Update(&outer_, opad, sizeof(opad));
}

std::string LeaseTokens::Sign(const v1::TaskRef& ref, absl::string_view worker_id) const {
  // Length-prefixed fields: no two (job, worker) pairs read as the same bytes.
  unsigned char numbers[32];
  absl::little_endian::Store64(numbers, ref.index());
  absl::little_endian::Store64(numbers + 8, ref.epoch());
  absl::little_endian::Store64(numbers + 16, ref.job_id().size());
  absl::little_endian::Store64(numbers + 24, worker_id.size());
  SHA256_CTX ctx = inner_;
  SHA256_Update(&ctx, numbers, sizeof(numbers));
  SHA256_Update(&ctx, ref.job_id().data(), ref.job_id().size());
  SHA256_Update(&ctx, worker_id.data(), worker_id.size());
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256_Final(digest, &ctx);
  ctx = outer_;
  SHA256_Update(&ctx, digest, sizeof(digest));
  SHA256_Final(digest, &ctx);
  return std::string(reinterpret_cast<const char*>(digest), kTokenBytes);
}

bool LeaseTokens::Verify(const v1::TaskRef& ref, absl::string_view worker_id) const {
  if (ref.lease_token().size() != kTokenBytes) return false;
  const std::string expected = Sign(ref, worker_id);
  return CRYPTO_memcmp(expected.data(), ref.lease_token().data(), kTokenBytes) == 0;
}

}  // namespace fanout::coordinator
