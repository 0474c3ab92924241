// builtin:sha256 — the SHA-256 of a file or an S3 object (or of a byte range of one), streamed, so
// size does not matter.
#include <openssl/evp.h>

#include <memory>

#include "absl/strings/escaping.h"
#include "common/json_text.h"
#include "worker/builtins/builtins.h"
#include "worker/builtins/object_ref.h"

namespace fanout::worker {
namespace {

using nlohmann::json;

class Sha256Handler : public Handler {
 public:
  absl::StatusOr<std::string> Invoke(const Event& event, Context& context) override {
    absl::StatusOr<ObjectRef> ref = ParseObjectRef(event.item);
    if (!ref.ok()) return ref.status();
    std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> md(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    EVP_DigestInit_ex(md.get(), EVP_sha256(), nullptr);
    absl::StatusOr<uint64_t> bytes = ReadObject(*ref, context, [&](absl::string_view chunk) {
      EVP_DigestUpdate(md.get(), chunk.data(), chunk.size());
    });
    if (!bytes.ok()) return bytes.status();
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(md.get(), digest, &length);
    json result = {{ref->s3 ? "object" : "path", ref->s3 ? ref->Name() : ref->path},
                   {"sha256", absl::BytesToHexString(
                                  absl::string_view(reinterpret_cast<char*>(digest), length))},
                   {"bytes", *bytes}};
    if (ref->range) result["range"] = {{"first", ref->range->first}, {"last", ref->range->second}};
    return DumpJson(result);
  }
};

// builtin:lines — counts the lines (newline-terminated records, plus a last unterminated one) of a
// file or an S3 object: the ETL hello-world. Over a byte range it counts the newlines in it, which
// add up across the ranges of one object.
class LinesHandler : public Handler {
 public:
  absl::StatusOr<std::string> Invoke(const Event& event, Context& context) override {
    absl::StatusOr<ObjectRef> ref = ParseObjectRef(event.item);
    if (!ref.ok()) return ref.status();
    uint64_t newlines = 0;
    char last = '\n';
    absl::StatusOr<uint64_t> bytes = ReadObject(*ref, context, [&](absl::string_view chunk) {
      newlines += std::count(chunk.begin(), chunk.end(), '\n');
      if (!chunk.empty()) last = chunk.back();
    });
    if (!bytes.ok()) return bytes.status();
    json result = {{ref->s3 ? "object" : "path", ref->s3 ? ref->Name() : ref->path},
                   {"bytes", *bytes}};
    if (ref->range) {
      result["newlines"] = newlines;
      result["range"] = {{"first", ref->range->first}, {"last", ref->range->second}};
    } else {
      result["lines"] = newlines + (*bytes > 0 && last != '\n' ? 1 : 0);
    }
    return DumpJson(result);
  }
};

}  // namespace

std::unique_ptr<Handler> MakeSha256Handler() { return std::make_unique<Sha256Handler>(); }
std::unique_ptr<Handler> MakeLinesHandler() { return std::make_unique<LinesHandler>(); }

}  // namespace fanout::worker
