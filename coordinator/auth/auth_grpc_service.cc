#include "coordinator/auth/auth_grpc_service.h"

namespace fanout::coordinator {

grpc::Status AuthGrpcService::CreateToken(grpc::ServerContext* context,
                                          const v1::CreateTokenRequest* request,
                                          v1::CreateTokenResponse* response) {
  absl::StatusOr<Principal> who = auth_.Check(*context, Access::kAdmin, "CreateToken");
  if (!who.ok()) return ToGrpcRefusal(who.status());
  absl::StatusOr<v1::CreateTokenResponse> created =
      tokens_.Create(request->role(), request->name());
  audit_.Record(*who, "token.create", created.ok() ? created->info().id() : "", created.status(),
                {{"name", request->name()}, {"token_role", RoleName(request->role())}});
  if (!created.ok()) return ToGrpcRefusal(created.status());
  *response = std::move(*created);
  return grpc::Status::OK;
}

grpc::Status AuthGrpcService::ListTokens(grpc::ServerContext* context, const v1::ListTokensRequest*,
                                         v1::ListTokensResponse* response) {
  absl::StatusOr<Principal> who = auth_.Check(*context, Access::kAdmin, "ListTokens");
  if (!who.ok()) return ToGrpcRefusal(who.status());
  for (v1::TokenInfo& info : tokens_.List()) *response->add_tokens() = std::move(info);
  return grpc::Status::OK;
}

grpc::Status AuthGrpcService::RevokeToken(grpc::ServerContext* context,
                                          const v1::RevokeTokenRequest* request,
                                          v1::TokenInfo* response) {
  absl::StatusOr<Principal> who = auth_.Check(*context, Access::kAdmin, "RevokeToken");
  if (!who.ok()) return ToGrpcRefusal(who.status());
  absl::StatusOr<v1::TokenInfo> revoked = tokens_.Revoke(request->id());
  audit_.Record(*who, "token.revoke", request->id(), revoked.status());
  if (!revoked.ok()) return ToGrpcRefusal(revoked.status());
  *response = std::move(*revoked);
  return grpc::Status::OK;
}

}  // namespace fanout::coordinator
