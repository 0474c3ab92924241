#include "coordinator/auth/token_store.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/proto_time.h"
#include "common/status_macros.h"
#include "common/utf8.h"
#include "coordinator/rocksdb_glue.h"

namespace fanout::coordinator {
namespace {

constexpr absl::string_view kPrefix = "fanout_";
constexpr size_t kIdBytes = 6, kSecretBytes = 32, kMaxNameBytes = 200;

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), n) != 1) abort();
  return out;
}

std::string Sha256(absl::string_view s) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof(digest));
}

std::string Key(absl::string_view id) { return absl::StrCat("t/", id); }

}  // namespace

absl::StatusOr<v1::Role> ParseRole(absl::string_view name) {
  for (v1::Role role :
       {v1::ROLE_ADMIN, v1::ROLE_SUBMIT, v1::ROLE_READ, v1::ROLE_WORKER, v1::ROLE_TRIGGER}) {
    if (RoleName(role) == name) return role;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "role: '", ReplaceInvalidUtf8(name), "' is none of admin, submit, read, worker, trigger"));
}

std::string RoleName(v1::Role role) {
  switch (role) {
    case v1::ROLE_ADMIN:
      return "admin";
    case v1::ROLE_SUBMIT:
      return "submit";
    case v1::ROLE_READ:
      return "read";
    case v1::ROLE_WORKER:
      return "worker";
    case v1::ROLE_TRIGGER:
      return "trigger";
    default:
      return "none";
  }
}

absl::StatusOr<std::unique_ptr<TokenStore>> TokenStore::Open(const std::string& data_dir, bool sync,
                                                             Clock& clock) {
  std::unique_ptr<TokenStore> store(new TokenStore(clock));
  store->sync_ = sync;
  rocksdb::Options options;
  options.create_if_missing = true;
  options.max_open_files = 16;
  rocksdb::DB* db = nullptr;
  RETURN_IF_ERROR(
      FromRocks(rocksdb::DB::Open(options, data_dir + "/tokens", &db), "open the token store"));
  store->db_.reset(db);
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  absl::MutexLock lock(&store->mu_);
  for (it->Seek("t/"); it->Valid() && it->key().starts_with("t/"); it->Next()) {
    v1::StoredToken token;
    if (!token.ParseFromArray(it->value().data(), it->value().size())) {
      return absl::DataLossError(
          absl::StrCat("token store: ", it->key().ToString(), " is unreadable"));
    }
    store->tokens_[token.info().id()] = std::move(token);
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "read the token store"));
  return store;
}

absl::Status TokenStore::Put(const v1::StoredToken& token) {
  rocksdb::WriteOptions write;
  write.sync = sync_;
  RETURN_IF_ERROR(FromRocks(db_->Put(write, Key(token.info().id()), token.SerializeAsString()),
                            "write a token"));
  absl::MutexLock lock(&mu_);
  tokens_[token.info().id()] = token;
  return absl::OkStatus();
}

absl::StatusOr<v1::CreateTokenResponse> TokenStore::Create(v1::Role role, const std::string& name) {
  if (RoleName(role) == "none") return absl::InvalidArgumentError("role: missing");
  RETURN_IF_ERROR(CheckUtf8(name, "name"));
  if (name.size() > kMaxNameBytes) {
    return absl::InvalidArgumentError(absl::StrCat("name: over ", kMaxNameBytes, " bytes"));
  }
  const std::string secret = absl::WebSafeBase64Escape(RandomBytes(kSecretBytes));
  v1::StoredToken stored;
  v1::TokenInfo* info = stored.mutable_info();
  info->set_id(absl::BytesToHexString(RandomBytes(kIdBytes)));
  info->set_name(name);
  info->set_role(role);
  ToProto(clock_.Now(), info->mutable_created_at());
  stored.set_secret_sha256(Sha256(secret));
  RETURN_IF_ERROR(Put(stored));
  v1::CreateTokenResponse out;
  *out.mutable_info() = *info;
  out.set_token(absl::StrCat(kPrefix, info->id(), "_", secret));
  return out;
}

std::vector<v1::TokenInfo> TokenStore::List() const {
  absl::MutexLock lock(&mu_);
  std::vector<v1::TokenInfo> out;
  for (const auto& [id, token] : tokens_) out.push_back(token.info());
  std::sort(out.begin(), out.end(), [](const v1::TokenInfo& a, const v1::TokenInfo& b) {
    return std::make_pair(a.created_at().seconds(), a.id()) <
           std::make_pair(b.created_at().seconds(), b.id());
  });
  return out;
}

absl::StatusOr<v1::TokenInfo> TokenStore::Revoke(const std::string& id) {
  v1::StoredToken token;
  {
    absl::MutexLock lock(&mu_);
    auto it = tokens_.find(id);
    if (it == tokens_.end()) {
      return absl::NotFoundError(absl::StrCat("token ", ReplaceInvalidUtf8(id), ": no such token"));
    }
    token = it->second;
  }
  if (token.info().revoked()) return token.info();
  token.mutable_info()->set_revoked(true);
  ToProto(clock_.Now(), token.mutable_info()->mutable_revoked_at());
  RETURN_IF_ERROR(Put(token));
  return token.info();
}

absl::StatusOr<v1::TokenInfo> TokenStore::Authenticate(absl::string_view token) const {
  absl::string_view rest = token;
  const size_t sep = rest.find('_', kPrefix.size());
  if (!absl::ConsumePrefix(&rest, kPrefix) || sep == absl::string_view::npos) {
    return absl::UnauthenticatedError("the token is malformed (expected fanout_<id>_<secret>)");
  }
  const std::string id(token.substr(kPrefix.size(), sep - kPrefix.size()));
  const std::string hash = Sha256(token.substr(sep + 1));
  absl::MutexLock lock(&mu_);
  auto it = tokens_.find(id);
  if (it == tokens_.end() || it->second.secret_sha256().size() != hash.size() ||
      CRYPTO_memcmp(it->second.secret_sha256().data(), hash.data(), hash.size()) != 0) {
    return absl::UnauthenticatedError("the token is not known to this coordinator");
  }
  if (it->second.info().revoked()) {
    return absl::UnauthenticatedError(absl::StrCat("token ", id, " was revoked"));
  }
  return it->second.info();
}

}  // namespace fanout::coordinator
