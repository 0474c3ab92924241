// Tokens: the secret is shown once and only its hash is kept; a token checks until revoked, and
// survives a restart of the store; roles grant exactly their accesses.
#include "coordinator/auth/token_store.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "coordinator/auth/authorizer.h"
#include "gtest/gtest.h"

namespace fanout::coordinator {
namespace {

std::string FreshDir(const std::string& name) {
  const std::string dir = std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

TEST(TokenStoreTest, ATokenChecksUntilRevokedAndSurvivesARestart) {
  const std::string dir = FreshDir("tokens");
  RealClock clock;
  std::string secret, id;
  {
    auto store = *TokenStore::Open(dir, true, clock);
    absl::StatusOr<v1::CreateTokenResponse> made = store->Create(v1::ROLE_SUBMIT, "ci");
    ASSERT_TRUE(made.ok()) << made.status();
    secret = made->token();
    id = made->info().id();
    EXPECT_EQ(secret.rfind("fanout_" + id + "_", 0), 0u);
  }
  auto store = *TokenStore::Open(dir, true, clock);
  absl::StatusOr<v1::TokenInfo> info = store->Authenticate(secret);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->role(), v1::ROLE_SUBMIT);
  EXPECT_EQ(info->name(), "ci");
  // A guess with the right id and a wrong secret, and strangers, are refused.
  for (const std::string& bad :
       {secret.substr(0, secret.size() - 1) + "x", std::string("fanout_") + id + "_",
        std::string(""), std::string("Bearer"), std::string("\xff\xfe")}) {
    EXPECT_EQ(store->Authenticate(bad).status().code(), absl::StatusCode::kUnauthenticated);
  }
  ASSERT_TRUE(store->Revoke(id).ok());
  EXPECT_EQ(store->Authenticate(secret).status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(store->Revoke("nope").status().code(), absl::StatusCode::kNotFound);
  store.reset();
  EXPECT_TRUE((*TokenStore::Open(dir, true, clock))->List()[0].revoked());
}

TEST(TokenStoreTest, TheSecretIsNeverStored) {
  const std::string dir = FreshDir("tokens-at-rest");
  RealClock clock;
  std::string secret;
  {
    auto store = *TokenStore::Open(dir, true, clock);
    secret = store->Create(v1::ROLE_ADMIN, "root")->token();
  }
  const std::string part = secret.substr(secret.rfind('_') + 1);
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_EQ(text.str().find(part), std::string::npos) << entry.path();
  }
}

TEST(TokenStoreTest, BadRequestsAreRefusedNamingTheField) {
  RealClock clock;
  auto store = *TokenStore::Open(FreshDir("tokens-bad"), true, clock);
  EXPECT_EQ(store->Create(v1::ROLE_UNSPECIFIED, "x").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store->Create(v1::ROLE_READ, "\xc3\x28").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store->Create(v1::ROLE_READ, std::string(201, 'n')).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseRole("root").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(*ParseRole("trigger"), v1::ROLE_TRIGGER);
}

// The table: each role exactly its list.
TEST(RolesTest, EachRoleGrantsExactlyItsAccesses) {
  using A = Access;
  const std::vector<std::pair<v1::Role, std::set<A>>> table = {
      {v1::ROLE_ADMIN,
       {A::kRead, A::kSubmit, A::kSubmitKeyed, A::kWork, A::kFunctionRead, A::kAdmin}},
      {v1::ROLE_SUBMIT, {A::kRead, A::kSubmit, A::kSubmitKeyed, A::kFunctionRead}},
      {v1::ROLE_READ, {A::kRead, A::kFunctionRead}},
      {v1::ROLE_WORKER, {A::kWork, A::kFunctionRead}},
      {v1::ROLE_TRIGGER, {A::kSubmitKeyed}},
      {v1::ROLE_UNSPECIFIED, {}},
  };
  for (const auto& [role, allowed] : table) {
    for (A access :
         {A::kRead, A::kSubmit, A::kSubmitKeyed, A::kWork, A::kFunctionRead, A::kAdmin}) {
      EXPECT_EQ(RoleAllows(role, access), allowed.count(access) > 0)
          << RoleName(role) << " " << static_cast<int>(access);
    }
  }
  EXPECT_EQ(RolesAllowing(A::kSubmitKeyed), "submit, trigger or admin");
  EXPECT_EQ(RolesAllowing(A::kAdmin), "admin");
}

}  // namespace
}  // namespace fanout::coordinator
