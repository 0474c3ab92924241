// Function code on a worker: bundles fetched by digest on first use, verified (SHA-256), unpacked
// once into --cache_dir/SHA/code and kept there, bounded by size: when a new bundle would go over,
// the least recently used ones that no invocation is using are removed first.
#ifndef FANOUT_WORKER_FUNCTIONS_CODE_CACHE_H_
#define FANOUT_WORKER_FUNCTIONS_CODE_CACHE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace fanout::worker {

// Thread-safe. Owned by the FunctionCatalog.
class CodeCache {
 public:
  // Writes the bundle named `sha256` to the file `path`.
  using Fetcher = std::function<absl::Status(const std::string& sha256, const std::string& path)>;
  // Called before a bundle's directory is removed (to end idle runtimes started from it).
  using OnEvict = std::function<void(const std::string& code_dir)>;

  // Takes `dir` for this process alone (an exclusive lock on DIR/.lock): two workers sharing a
  // cache would remove each other's code. kFailedPrecondition when another process holds it.
  static absl::StatusOr<std::unique_ptr<CodeCache>> Open(std::string dir, uint64_t max_bytes,
                                                         Fetcher fetch, OnEvict on_evict);
  ~CodeCache();

  // The unpacked code of `sha256` (fetched and unpacked first if missing), pinned until Unpin:
  // a pinned bundle is never removed.
  absl::StatusOr<std::string> Pin(const std::string& sha256);
  void Unpin(const std::string& sha256);
  // Where `sha256`'s code goes (whether or not it is there).
  std::string CodeDir(const std::string& sha256) const;
  uint64_t bytes() const;

 private:
  struct Entry {
    uint64_t bytes = 0;
    int pins = 0;
    absl::Time last_used;
  };
  absl::Status Fetch(const std::string& sha256, uint64_t* bytes);
  // Removes unpinned bundles, least recently used first, until `incoming` more bytes fit.
  void MakeRoom(uint64_t incoming) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void LoadExisting();

  CodeCache(std::string dir, uint64_t max_bytes, Fetcher fetch, OnEvict on_evict);

  const std::string dir_;
  int lock_fd_ = -1;
  const uint64_t max_bytes_;
  const Fetcher fetch_;
  const OnEvict on_evict_;
  absl::Mutex fetch_mu_;  // one fetch at a time: two slots wanting one bundle fetch it once
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
  uint64_t bytes_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace fanout::worker

#endif  // FANOUT_WORKER_FUNCTIONS_CODE_CACHE_H_
