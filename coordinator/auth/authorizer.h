// Who may do what: each RPC and HTTP route asks for one kind of access, and a token's role grants
// a fixed set of them. With auth off (a coordinator on loopback, `fanout dev`) every caller is an
// anonymous admin; with auth required, a call without a known token is UNAUTHENTICATED and one
// whose role lacks the access is PERMISSION_DENIED naming the roles that have it.
#ifndef FANOUT_COORDINATOR_AUTH_AUTHORIZER_H_
#define FANOUT_COORDINATOR_AUTH_AUTHORIZER_H_

#include <string>

#include "absl/status/statusor.h"
#include "common/http_server.h"
#include "coordinator/auth/token_store.h"
#include "grpcpp/grpcpp.h"

namespace fanout::coordinator {

enum class Access {
  kRead,          // jobs, tasks, results, workers, the dashboard, metrics
  kSubmit,        // submit, cancel, update, redrive (invoke is a submit)
  kSubmitKeyed,   // submit with item keys (a trigger's events)
  kWork,          // lease, renew, report, checkpoint, fetch code
  kFunctionRead,  // a function's settings (workers resolve NAME:VERSION with it)
  kAdmin,         // functions, tokens
};

bool RoleAllows(v1::Role role, Access access);
// "submit, trigger or admin"
std::string RolesAllowing(Access access);

struct Principal {
  std::string id;  // the token's id; "" when auth is off
  std::string name;
  v1::Role role = v1::ROLE_UNSPECIFIED;
  std::string Describe() const;  // "token 3fa2c1 (ci)" or "anonymous (auth off)"
};

// Thread-safe; `tokens` must outlive it.
class Authorizer {
 public:
  struct Options {
    bool required = false;
    // Worker calls must come over TLS with a verified client certificate (--tls_client_ca).
    bool workers_need_client_cert = false;
  };
  Authorizer(const TokenStore& tokens, Options options) : tokens_(tokens), options_(options) {}

  bool required() const { return options_.required; }
  // `method` names the call in refusals ("SubmitJob").
  absl::StatusOr<Principal> Check(const grpc::ServerContextBase& context, Access access,
                                  absl::string_view method) const;
  // A bearer token in the Authorization header, or the dashboard's fanout_token cookie.
  absl::StatusOr<Principal> CheckHttp(const HttpRequest& request, Access access) const;

 private:
  absl::StatusOr<Principal> CheckToken(absl::string_view bearer, Access access,
                                       absl::string_view method) const;

  const TokenStore& tokens_;
  const Options options_;
};

// The grpc::Status of a refusal.
grpc::Status ToGrpcRefusal(const absl::Status& status);

// A unary callback call refused: its finished reactor to return; null when `principal` is allowed.
grpc::ServerUnaryReactor* Refuse(grpc::CallbackServerContext* context,
                                 const absl::StatusOr<Principal>& principal);

// A server-streaming callback call refused at once.
template <typename T>
class RefusedWriter : public grpc::ServerWriteReactor<T> {
 public:
  explicit RefusedWriter(const absl::Status& why) { this->Finish(ToGrpcRefusal(why)); }
  void OnDone() override { delete this; }
};

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_AUTH_AUTHORIZER_H_
