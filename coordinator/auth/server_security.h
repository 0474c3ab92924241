// How the coordinator's listeners are secured, decided once at start: TLS from certificate files,
// whether tokens are required (by default: whenever it listens beyond loopback), and the first
// admin token, made at first start and left in a 0600 file in the data dir.
#ifndef FANOUT_COORDINATOR_AUTH_SERVER_SECURITY_H_
#define FANOUT_COORDINATOR_AUTH_SERVER_SECURITY_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "coordinator/auth/token_store.h"
#include "grpcpp/grpcpp.h"

namespace fanout::coordinator {

struct SecurityConfig {
  std::string auth;  // "required", "off", or "" (required unless every listener is on loopback)
  std::string tls_cert, tls_key;  // PEM files; both or neither
  std::string tls_client_ca;      // PEM: worker calls need a client certificate it signed
};

// Whether tokens are required, from `config.auth` and the listen addresses (non-empty ones).
absl::StatusOr<bool> AuthRequired(const SecurityConfig& config,
                                  const std::vector<std::string>& listens);

// TLS credentials from the files (insecure ones without --tls_cert); errors name the flag.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentialsFor(
    const SecurityConfig& config);

// At a first start (no admin token that is not revoked) an admin token, written to
// DATA_DIR/admin.token (0600); its path, or "" when an admin token existed.
absl::StatusOr<std::string> MakeFirstAdminToken(TokenStore& tokens, const std::string& data_dir);

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_AUTH_SERVER_SECURITY_H_
