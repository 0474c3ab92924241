// The coordinator's bearer tokens, in a RocksDB of their own (DATA_DIR/tokens). A token reads
// "fanout_<id>_<secret>": the id is public (lists, revocation, the audit log), the secret is 32
// random bytes shown once; only its SHA-256 is stored, so a copy of the data dir holds no usable
// token. All tokens are also held in memory: checking one is a map lookup and a hash.
#ifndef FANOUT_COORDINATOR_AUTH_TOKEN_STORE_H_
#define FANOUT_COORDINATOR_AUTH_TOKEN_STORE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "proto/auth_service.pb.h"
#include "rocksdb/db.h"

namespace fanout::coordinator {

// Thread-safe. Owned by the CoordinatorServer.
class TokenStore {
 public:
  static absl::StatusOr<std::unique_ptr<TokenStore>> Open(const std::string& data_dir, bool sync,
                                                          Clock& clock);

  // A new token; the response's `token` is the only copy of its secret.
  absl::StatusOr<v1::CreateTokenResponse> Create(v1::Role role, const std::string& name);
  std::vector<v1::TokenInfo> List() const;
  absl::StatusOr<v1::TokenInfo> Revoke(const std::string& id);
  // The token's info if it is known and not revoked; else UNAUTHENTICATED saying which.
  absl::StatusOr<v1::TokenInfo> Authenticate(absl::string_view token) const;

 private:
  TokenStore(Clock& clock) : clock_(clock) {}
  absl::Status Put(const v1::StoredToken& token);

  // Constant after construction
  Clock& clock_;
  bool sync_ = true;
  std::unique_ptr<rocksdb::DB> db_;
  // Guarded by mu_
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, v1::StoredToken> tokens_ ABSL_GUARDED_BY(mu_);
};

// "admin", "submit", "read", "worker", "trigger"; INVALID_ARGUMENT listing them otherwise.
absl::StatusOr<v1::Role> ParseRole(absl::string_view name);
std::string RoleName(v1::Role role);

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_AUTH_TOKEN_STORE_H_
