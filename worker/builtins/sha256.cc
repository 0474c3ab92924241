// builtin:sha256 — hashes a local file, streaming, so file size does not matter.
#include <openssl/evp.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "worker/builtins/builtins.h"

namespace fanout::worker {
namespace {

using nlohmann::json;

absl::StatusOr<std::string> PathOf(absl::string_view item_text) {
  json item = json::parse(item_text.begin(), item_text.end(), nullptr, false);
  if (item.is_object() && item.contains("path")) item = item["path"];
  if (!item.is_string() || item.get<std::string>().empty()) {
    return absl::InvalidArgumentError("item: expected a file path or {\"path\": ...}");
  }
  return item.get<std::string>();
}

absl::Status OpenError(const std::string& path, int err) {
  const std::string why = absl::StrCat(path, ": ", std::strerror(err));
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return absl::NotFoundError(why);
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(why);
    case EISDIR:
      return absl::InvalidArgumentError(why);
    default:
      return absl::UnavailableError(why);
  }
}

class Sha256Handler : public Handler {
 public:
  absl::StatusOr<std::string> Invoke(const Event& event, Context& context) override {
    absl::StatusOr<std::string> path = PathOf(event.item);
    if (!path.ok()) return path.status();
    std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path->c_str(), "rb"), &std::fclose);
    if (file == nullptr) return OpenError(*path, errno);
    std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> md(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    EVP_DigestInit_ex(md.get(), EVP_sha256(), nullptr);
    std::string buffer(1 << 16, '\0');
    uint64_t bytes = 0;
    while (size_t n = std::fread(buffer.data(), 1, buffer.size(), file.get())) {
      EVP_DigestUpdate(md.get(), buffer.data(), n);
      bytes += n;
      if (context.cancelled()) return absl::CancelledError("sha256: cancelled");
    }
    if (std::ferror(file.get())) return OpenError(*path, errno);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(md.get(), digest, &length);
    const std::string hex =
        absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(digest), length));
    return json{{"path", *path}, {"sha256", hex}, {"bytes", bytes}}.dump();
  }
};

}  // namespace

std::unique_ptr<Handler> MakeSha256Handler() { return std::make_unique<Sha256Handler>(); }

}  // namespace fanout::worker
