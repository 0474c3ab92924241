// Tokens are required by default whenever any listener is reachable beyond loopback.
#include "coordinator/auth/server_security.h"

#include "common/loopback.h"
#include "gtest/gtest.h"

namespace fanout::coordinator {
namespace {

TEST(ServerSecurityTest, LoopbackIsOnlyLoopback) {
  for (const char* listen : {"127.0.0.1:7070", "127.1.2.3:0", "[::1]:7070", "localhost:7070"}) {
    EXPECT_TRUE(IsLoopbackListen(listen)) << listen;
  }
  for (const char* listen : {"0.0.0.0:7070", "[::]:7070", ":7070", "10.0.0.5:7070",
                             "127.0.0.1.example.com:7070", "coordinator:7070"}) {
    EXPECT_FALSE(IsLoopbackListen(listen)) << listen;
  }
}

TEST(ServerSecurityTest, AuthIsRequiredByDefaultBeyondLoopback) {
  EXPECT_FALSE(*AuthRequired({}, {"127.0.0.1:7070", "127.0.0.1:7080", ""}));
  EXPECT_TRUE(*AuthRequired({}, {"127.0.0.1:7070", "0.0.0.0:7080"}));
  EXPECT_TRUE(*AuthRequired({.auth = "required"}, {"127.0.0.1:7070"}));
  EXPECT_FALSE(*AuthRequired({.auth = "off"}, {"0.0.0.0:7070"}));
  EXPECT_EQ(AuthRequired({.auth = "maybe"}, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ServerSecurityTest, TlsFlagsGoTogether) {
  EXPECT_FALSE(ServerCredentialsFor({.tls_cert = "c.pem"}).ok());
  EXPECT_FALSE(ServerCredentialsFor({.tls_client_ca = "ca.pem"}).ok());
  EXPECT_FALSE(ServerCredentialsFor({.tls_cert = "/no/c.pem", .tls_key = "/no/k.pem"}).ok());
  EXPECT_TRUE(ServerCredentialsFor({}).ok());
}

}  // namespace
}  // namespace fanout::coordinator
