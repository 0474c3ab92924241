#include "coordinator/auth/server_security.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/flag_file.h"
#include "common/loopback.h"

namespace fanout::coordinator {

absl::StatusOr<bool> AuthRequired(const SecurityConfig& config,
                                  const std::vector<std::string>& listens) {
  if (config.auth == "required") return true;
  if (config.auth == "off") return false;
  if (!config.auth.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--auth: '", config.auth, "' is neither required nor off"));
  }
  for (const std::string& listen : listens) {
    if (!listen.empty() && !IsLoopbackListen(listen)) return true;
  }
  return false;
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentialsFor(
    const SecurityConfig& config) {
  if (config.tls_cert.empty() != config.tls_key.empty()) {
    return absl::InvalidArgumentError("--tls_cert and --tls_key go together");
  }
  if (config.tls_cert.empty()) {
    if (!config.tls_client_ca.empty()) {
      return absl::InvalidArgumentError("--tls_client_ca needs --tls_cert and --tls_key");
    }
    return grpc::InsecureServerCredentials();
  }
  grpc::SslServerCredentialsOptions options(
      config.tls_client_ca.empty() ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
                                   // Verified when given; required only of worker calls.
                                   : GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY);
  grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
  absl::StatusOr<std::string> key = ReadFlagFile(config.tls_key, "--tls_key");
  absl::StatusOr<std::string> cert = ReadFlagFile(config.tls_cert, "--tls_cert");
  if (!key.ok()) return key.status();
  if (!cert.ok()) return cert.status();
  pair.private_key = *key;
  pair.cert_chain = *cert;
  options.pem_key_cert_pairs.push_back(pair);
  if (!config.tls_client_ca.empty()) {
    absl::StatusOr<std::string> ca = ReadFlagFile(config.tls_client_ca, "--tls_client_ca");
    if (!ca.ok()) return ca.status();
    options.pem_root_certs = *ca;
  }
  return grpc::SslServerCredentials(options);
}

absl::StatusOr<std::string> MakeFirstAdminToken(TokenStore& tokens, const std::string& data_dir) {
  for (const v1::TokenInfo& token : tokens.List()) {
    if (token.role() == v1::ROLE_ADMIN && !token.revoked()) return std::string();
  }
  absl::StatusOr<v1::CreateTokenResponse> admin = tokens.Create(v1::ROLE_ADMIN, "first admin");
  if (!admin.ok()) return admin.status();
  const std::string path = data_dir + "/admin.token";
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  const std::string text = admin->token() + "\n";
  // An older file keeps its mode through O_TRUNC: 0600 again, before the secret goes in.
  const bool ok = fd >= 0 && fchmod(fd, 0600) == 0 &&
                  write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                  fsync(fd) == 0;
  if (fd >= 0) close(fd);
  if (!ok) {
    // Revoked, so that the next start makes another rather than leaving no admin at all.
    (void)tokens.Revoke(admin->info().id());
    return absl::UnavailableError(
        absl::StrCat("cannot write the first admin token to ", path, ": ", std::strerror(errno)));
  }
  return path;
}

}  // namespace fanout::coordinator
