// How every client (the CLI, workers, the trigger) dials the coordinator: over TLS when a CA is
// given (--tls_ca or FANOUT_TLS_CA), with a client certificate for mTLS (--tls_client_cert,
// --tls_client_key), and with the bearer token (FANOUT_TOKEN or --token_file) on every call.
#ifndef FANOUT_COMMON_COORDINATOR_CHANNEL_H_
#define FANOUT_COMMON_COORDINATOR_CHANNEL_H_

#include <memory>
#include <string>

#include "absl/flags/declare.h"
#include "absl/status/statusor.h"
#include "grpcpp/grpcpp.h"

ABSL_DECLARE_FLAG(std::string, token_file);
ABSL_DECLARE_FLAG(std::string, tls_ca);
ABSL_DECLARE_FLAG(std::string, tls_client_cert);
ABSL_DECLARE_FLAG(std::string, tls_client_key);

namespace fanout {

struct ClientSecurity {
  std::string token;  // "" sends none
  bool tls = false;
  std::string ca_pem, cert_pem, key_pem;
};

// From the flags and the environment; errors name the flag or variable.
absl::StatusOr<ClientSecurity> ClientSecurityFromFlags();

std::shared_ptr<grpc::Channel> DialCoordinator(const std::string& address,
                                               const ClientSecurity& security,
                                               const grpc::ChannelArguments& args = {});

}  // namespace fanout

#endif  // FANOUT_COMMON_COORDINATOR_CHANNEL_H_
