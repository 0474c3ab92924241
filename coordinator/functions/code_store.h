// Function code bundles on the coordinator's disk, named by their SHA-256 (the same bytes are
// kept once). A bundle arrives in chunks into a temporary file, is checked (InspectBundle) and
// renamed into place with the directory synced, so a stored bundle is always whole.
#ifndef FANOUT_COORDINATOR_FUNCTIONS_CODE_STORE_H_
#define FANOUT_COORDINATOR_FUNCTIONS_CODE_STORE_H_

#include <cstdio>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "proto/function_service.pb.h"

namespace fanout::coordinator {

// Thread-safe (each upload has its own file; the rename is atomic). Owned by the registry.
class CodeStore {
 public:
  // One bundle being received. Not thread-safe.
  class Upload {
   public:
    ~Upload();  // removes the temporary file unless committed
    // kInvalidArgument once the bundle is over the packed limit.
    absl::Status Append(absl::string_view bytes);
    // Checks the bundle and keeps it; returns where it is and what it holds.
    absl::StatusOr<v1::CodeRef> Commit();

   private:
    friend class CodeStore;
    Upload(CodeStore& store, std::string temp, std::FILE* file)
        : store_(store), temp_(std::move(temp)), file_(file) {}
    CodeStore& store_;
    std::string temp_;
    std::FILE* file_;
    uint64_t bytes_ = 0;
    bool committed_ = false;
  };

  // `dir` is made if missing.
  static absl::StatusOr<std::unique_ptr<CodeStore>> Open(const std::string& dir,
                                                         uint64_t max_bundle_bytes);
  absl::StatusOr<std::unique_ptr<Upload>> StartUpload();
  // The stored bundle's path; kNotFound when no bundle has that digest.
  absl::StatusOr<std::string> PathOf(const std::string& sha256) const;
  // What a stored bundle holds: as its upload found it, or (after a restart) read again from disk,
  // once.
  absl::StatusOr<v1::CodeRef> Describe(const std::string& sha256) const;

 private:
  CodeStore(std::string dir, uint64_t max_bytes) : dir_(std::move(dir)), max_bytes_(max_bytes) {}
  const std::string dir_;
  const uint64_t max_bytes_;
  // Bundles already inspected: an upload is checked once, not again by the create that follows.
  mutable absl::Mutex mu_;
  mutable absl::flat_hash_map<std::string, v1::CodeRef> known_ ABSL_GUARDED_BY(mu_);
};

// A digest is 64 lowercase hex digits (checked before it names a file).
bool IsSha256Hex(absl::string_view text);

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_FUNCTIONS_CODE_STORE_H_
