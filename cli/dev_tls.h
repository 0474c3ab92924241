// `fanout dev --tls`: a throwaway certificate authority and a server certificate for 127.0.0.1
// and localhost, made at start in DATA_DIR/tls (the CA's key is not kept), so that TLS can be
// tried in one command: clients trust DATA_DIR/tls/ca.pem (--tls_ca or FANOUT_TLS_CA).
#ifndef FANOUT_CLI_DEV_TLS_H_
#define FANOUT_CLI_DEV_TLS_H_

#include <string>

#include "absl/status/statusor.h"

namespace fanout::cli {

struct DevTlsFiles {
  std::string ca, cert, key;  // paths
};

absl::StatusOr<DevTlsFiles> MakeDevTls(const std::string& dir);

}  // namespace fanout::cli

#endif  // FANOUT_CLI_DEV_TLS_H_
