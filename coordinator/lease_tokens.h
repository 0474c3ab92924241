// Lease tokens: every task granted to a worker carries an unguessable token, an HMAC of (job,
// task, epoch, worker id) under a key only the coordinator holds, and renewals, checkpoints and
// reports must present it. Job ids and epochs are small and sequential; without the token anyone
// who could reach the port could commit a result for a lease they do not hold, or keep a dead
// worker's leases alive. The key lives in the data dir, so leases found on disk after a restart
// keep their tokens; nothing per lease is stored.
#ifndef FANOUT_COORDINATOR_LEASE_TOKENS_H_
#define FANOUT_COORDINATOR_LEASE_TOKENS_H_

#include <openssl/sha.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "proto/worker_service.pb.h"

namespace fanout::coordinator {

// Immutable after construction; thread-safe.
class LeaseTokens {
 public:
  // A key of 32 random bytes: made once, kept in `path` (0600, synced), read on later starts.
  static absl::StatusOr<LeaseTokens> FromKeyFile(const std::string& path);
  static LeaseTokens Random();  // for tests and stores without a data dir

  // 16 bytes.
  std::string Sign(const v1::TaskRef& ref, absl::string_view worker_id) const;
  // The token `ref` carries is the one Sign gives for it and `worker_id` (constant time).
  bool Verify(const v1::TaskRef& ref, absl::string_view worker_id) const;

 private:
  explicit LeaseTokens(absl::string_view key);
  // HMAC-SHA256's inner and outer hash states after the padded key: two compressions per token.
  SHA256_CTX inner_, outer_;
};

// The entries of a worker call checked against their lease tokens. On the common path (every
// token genuine) nothing is copied: entries() is the request's own.
template <typename T>
class CheckedEntries {
 public:
  template <typename RefOf>
  CheckedEntries(const google::protobuf::RepeatedPtrField<T>& entries, RefOf ref_of,
                 const LeaseTokens& tokens, absl::string_view worker_id)
      : all_(entries) {
    for (int i = 0; i < entries.size(); ++i) {
      if (tokens.Verify(ref_of(entries[i]), worker_id)) continue;
      if (refused_.empty()) refused_.assign(entries.size(), false);
      refused_[i] = true;
      ++count_;
    }
    if (count_ == 0) return;
    for (int i = 0; i < entries.size(); ++i) {
      if (!refused_[i]) *kept_.Add() = entries[i];
    }
  }

  const google::protobuf::RepeatedPtrField<T>& entries() const {
    return count_ == 0 ? all_ : kept_;
  }
  size_t refused() const { return count_; }

  // `aligned` (with the request) cut to what entries() kept.
  template <typename V>
  std::vector<V> Kept(std::vector<V> aligned) const {
    if (count_ == 0) return aligned;
    std::vector<V> out;
    for (size_t i = 0; i < aligned.size() && i < refused_.size(); ++i) {
      if (!refused_[i]) out.push_back(std::move(aligned[i]));
    }
    return out;
  }

  // `statuses` (aligned with entries()) realigned with the request, `refused` at the others.
  template <typename S>
  std::vector<S> Realign(std::vector<S> statuses, S refused) const {
    if (count_ == 0) return statuses;
    std::vector<S> out;
    out.reserve(refused_.size());
    size_t next = 0;
    for (bool r : refused_) out.push_back(r ? refused : statuses[next++]);
    return out;
  }

 private:
  const google::protobuf::RepeatedPtrField<T>& all_;
  google::protobuf::RepeatedPtrField<T> kept_;
  std::vector<bool> refused_;
  size_t count_ = 0;
};

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_LEASE_TOKENS_H_
