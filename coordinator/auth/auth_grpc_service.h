// AuthService over gRPC's synchronous API (calls are rare): tokens created, listed and revoked by
// an admin, each creation and revocation written to the audit log.
#ifndef FANOUT_COORDINATOR_AUTH_AUTH_GRPC_SERVICE_H_
#define FANOUT_COORDINATOR_AUTH_AUTH_GRPC_SERVICE_H_

#include "coordinator/auth/audit_log.h"
#include "coordinator/auth/authorizer.h"
#include "coordinator/auth/token_store.h"
#include "proto/auth_service.grpc.pb.h"

namespace fanout::coordinator {

// Thread-safe. Owned by CoordinatorServer.
class AuthGrpcService final : public v1::AuthService::Service {
 public:
  AuthGrpcService(TokenStore& tokens, const Authorizer& auth, AuditLog& audit)
      : tokens_(tokens), auth_(auth), audit_(audit) {}

  grpc::Status CreateToken(grpc::ServerContext* context, const v1::CreateTokenRequest* request,
                           v1::CreateTokenResponse* response) override;
  grpc::Status ListTokens(grpc::ServerContext* context, const v1::ListTokensRequest* request,
                          v1::ListTokensResponse* response) override;
  grpc::Status RevokeToken(grpc::ServerContext* context, const v1::RevokeTokenRequest* request,
                           v1::TokenInfo* response) override;

 private:
  TokenStore& tokens_;
  const Authorizer& auth_;
  AuditLog& audit_;
};

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_AUTH_AUTH_GRPC_SERVICE_H_
