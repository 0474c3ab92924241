#include "common/coordinator_channel.h"

#include <cstdlib>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/flag_file.h"
#include "common/limits.h"
#include "grpcpp/support/client_interceptor.h"

ABSL_FLAG(std::string, token_file, "",
          "a file holding the token to call the coordinator with (else $FANOUT_TOKEN)");
ABSL_FLAG(std::string, tls_ca, "",
          "dial the coordinator over TLS, trusting this CA's PEM certificate (else "
          "$FANOUT_TLS_CA; neither: plaintext)");
ABSL_FLAG(std::string, tls_client_cert, "",
          "PEM certificate to present to the coordinator (mTLS; with --tls_client_key)");
ABSL_FLAG(std::string, tls_client_key, "", "PEM private key of --tls_client_cert");

namespace fanout {
namespace {

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

// Adds "authorization: Bearer <token>" to every call of the channel.
class TokenInterceptor : public grpc::experimental::Interceptor {
 public:
  explicit TokenInterceptor(const std::string* header) : header_(header) {}
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->insert({"authorization", *header_});
    }
    methods->Proceed();
  }

 private:
  const std::string* header_;
};

class TokenInterceptorFactory : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  explicit TokenInterceptorFactory(const std::string& token) : header_("Bearer " + token) {}
  grpc::experimental::Interceptor* CreateClientInterceptor(
      grpc::experimental::ClientRpcInfo*) override {
    return new TokenInterceptor(&header_);
  }

 private:
  const std::string header_;  // lives as long as the channel that owns the factory
};

}  // namespace

absl::StatusOr<ClientSecurity> ClientSecurityFromFlags() {
  ClientSecurity out;
  const std::string token_file = absl::GetFlag(FLAGS_token_file);
  if (!token_file.empty()) {
    absl::StatusOr<std::string> token = ReadFlagFile(token_file, "--token_file");
    if (!token.ok()) return token.status();
    out.token = std::string(absl::StripAsciiWhitespace(*token));
    if (out.token.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("--token_file: ", token_file, " is empty"));
    }
  } else {
    out.token = std::string(absl::StripAsciiWhitespace(Env("FANOUT_TOKEN")));
  }
  std::string ca = absl::GetFlag(FLAGS_tls_ca);
  if (ca.empty()) ca = Env("FANOUT_TLS_CA");
  const std::string cert = absl::GetFlag(FLAGS_tls_client_cert);
  const std::string key = absl::GetFlag(FLAGS_tls_client_key);
  if (cert.empty() != key.empty()) {
    return absl::InvalidArgumentError("--tls_client_cert and --tls_client_key go together");
  }
  if (ca.empty()) {
    if (!cert.empty()) return absl::InvalidArgumentError("--tls_client_cert needs --tls_ca");
    return out;
  }
  out.tls = true;
  absl::StatusOr<std::string> ca_pem = ReadFlagFile(ca, "--tls_ca");
  if (!ca_pem.ok()) return ca_pem.status();
  out.ca_pem = *ca_pem;
  if (!cert.empty()) {
    absl::StatusOr<std::string> cert_pem = ReadFlagFile(cert, "--tls_client_cert");
    absl::StatusOr<std::string> key_pem = ReadFlagFile(key, "--tls_client_key");
    if (!cert_pem.ok()) return cert_pem.status();
    if (!key_pem.ok()) return key_pem.status();
    out.cert_pem = *cert_pem;
    out.key_pem = *key_pem;
  }
  return out;
}

std::shared_ptr<grpc::Channel> DialCoordinator(const std::string& address,
                                               const ClientSecurity& security,
                                               const grpc::ChannelArguments& args) {
  std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials();
  if (security.tls) {
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = security.ca_pem;
    options.pem_cert_chain = security.cert_pem;
    options.pem_private_key = security.key_pem;
    credentials = grpc::SslCredentials(options);
  }
  std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> factories;
  if (!security.token.empty()) {
    factories.push_back(std::make_unique<TokenInterceptorFactory>(security.token));
  }
  // Back to a restarted coordinator within a second: gRPC's default backoff grows to two minutes,
  // so workers that saw a few refused connects while it restarted would idle on after it served
  // (bench/restart_cost: a clean restart cost a 6 s job 13 s). gRPC adds its own jitter.
  grpc::ChannelArguments with = args;
  with.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  with.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  // gRPC's "minimum reconnect backoff" is the time a connection attempt may take. At 100 ms a
  // path with 200 ms of delay never finished its handshake (tests/multihost_test); at 5 s a
  // coordinator that moved to a new address (its old one answering nothing) was dialed for 5 s
  // before the name was resolved again. 2 s covers a TLS handshake over a slow path.
  with.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 2000);
  // A connection whose peer vanished without a reset (its host partitioned or gone, its address
  // moved) is otherwise trusted until the kernel gives up, minutes later; calls on it only time
  // out. Pinging every 5 s and dropping it after 5 s without an answer gets a new one within
  // ~10 s, also under a long-poll or a watch stream. The coordinator permits these pings.
  with.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, kClientKeepaliveMs);
  with.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 5000);
  with.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  with.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  // After a failed connect and its backoff, this gRPC connects again only once the name has been
  // resolved again (traced: calls refused for 3 s while a restarted coordinator already served),
  // and re-resolution waits at least this long after the last one (30 s by default). It is also
  // how a coordinator that came back at another address behind its DNS name is found.
  with.SetInt(GRPC_ARG_DNS_MIN_TIME_BETWEEN_RESOLUTIONS_MS, 500);
  // pick_first replaces its subchannel list on each re-resolution and so cancelled the attempt in
  // progress ("tcp handshaker shutdown", another second lost); round_robin keeps it. With one
  // address it is the same single connection.
  with.SetLoadBalancingPolicyName("round_robin");
  return grpc::experimental::CreateCustomChannelWithInterceptors(address, credentials, with,
                                                                 std::move(factories));
}

}  // namespace fanout
