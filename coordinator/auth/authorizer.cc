#include "coordinator/auth/authorizer.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace fanout::coordinator {
namespace {

constexpr v1::Role kRoles[] = {v1::ROLE_SUBMIT, v1::ROLE_TRIGGER, v1::ROLE_READ, v1::ROLE_WORKER,
                               v1::ROLE_ADMIN};

// "Bearer X" (the scheme in any case); "" when it is not one.
absl::string_view BearerToken(absl::string_view header) {
  header = absl::StripAsciiWhitespace(header);
  if (header.size() < 7 || !absl::EqualsIgnoreCase(header.substr(0, 7), "bearer ")) return "";
  return absl::StripAsciiWhitespace(header.substr(7));
}

absl::string_view CookieToken(absl::string_view cookies) {
  for (absl::string_view pair : absl::StrSplit(cookies, ';')) {
    pair = absl::StripAsciiWhitespace(pair);
    if (absl::ConsumePrefix(&pair, "fanout_token=")) return pair;
  }
  return "";
}

}  // namespace

bool RoleAllows(v1::Role role, Access access) {
  switch (role) {
    case v1::ROLE_ADMIN:
      return true;
    case v1::ROLE_SUBMIT:
      return access == Access::kRead || access == Access::kSubmit ||
             access == Access::kSubmitKeyed || access == Access::kFunctionRead;
    case v1::ROLE_READ:
      return access == Access::kRead || access == Access::kFunctionRead;
    case v1::ROLE_WORKER:
      return access == Access::kWork || access == Access::kFunctionRead;
    case v1::ROLE_TRIGGER:
      return access == Access::kSubmitKeyed;
    default:
      return false;
  }
}

std::string RolesAllowing(Access access) {
  std::vector<std::string> names;
  for (v1::Role role : kRoles) {
    if (RoleAllows(role, access)) names.push_back(RoleName(role));
  }
  if (names.size() == 1) return names[0];
  const std::string last = names.back();
  names.pop_back();
  return absl::StrCat(absl::StrJoin(names, ", "), " or ", last);
}

std::string Principal::Describe() const {
  if (id.empty()) return "anonymous (auth off)";
  return absl::StrCat("token ", id, name.empty() ? "" : absl::StrCat(" (", name, ")"));
}

absl::StatusOr<Principal> Authorizer::CheckToken(absl::string_view bearer, Access access,
                                                 absl::string_view method) const {
  if (!options_.required) return Principal{"", "", v1::ROLE_ADMIN};
  if (bearer.empty()) {
    return absl::UnauthenticatedError(
        absl::StrCat(method, ": this coordinator requires a token (role ", RolesAllowing(access),
                     "): set FANOUT_TOKEN or --token_file"));
  }
  absl::StatusOr<v1::TokenInfo> token = tokens_.Authenticate(bearer);
  if (!token.ok()) {
    return absl::UnauthenticatedError(absl::StrCat(method, ": ", token.status().message()));
  }
  Principal principal{token->id(), token->name(), token->role()};
  if (!RoleAllows(token->role(), access)) {
    return absl::PermissionDeniedError(absl::StrCat(method, " needs role ", RolesAllowing(access),
                                                    "; ", principal.Describe(), " has role ",
                                                    RoleName(token->role())));
  }
  return principal;
}

absl::StatusOr<Principal> Authorizer::Check(const grpc::ServerContextBase& context, Access access,
                                            absl::string_view method) const {
  absl::string_view bearer;
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("authorization");
  if (it != metadata.end()) bearer = BearerToken({it->second.data(), it->second.size()});
  absl::StatusOr<Principal> principal = CheckToken(bearer, access, method);
  if (!principal.ok() || access != Access::kWork || !options_.workers_need_client_cert) {
    return principal;
  }
  const std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth == nullptr || !auth->IsPeerAuthenticated()) {
    return absl::PermissionDeniedError(
        absl::StrCat(method,
                     ": worker calls need a client certificate signed by the coordinator's "
                     "--tls_client_ca"));
  }
  return principal;
}

absl::StatusOr<Principal> Authorizer::CheckHttp(const HttpRequest& request, Access access) const {
  absl::string_view bearer = BearerToken(request.Header("authorization"));
  if (bearer.empty()) bearer = CookieToken(request.Header("cookie"));
  return CheckToken(bearer, access, request.path);
}

grpc::Status ToGrpcRefusal(const absl::Status& status) {
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

grpc::ServerUnaryReactor* Refuse(grpc::CallbackServerContext* context,
                                 const absl::StatusOr<Principal>& principal) {
  if (principal.ok()) return nullptr;
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpcRefusal(principal.status()));
  return reactor;
}

}  // namespace fanout::coordinator
