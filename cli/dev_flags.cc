#include "cli/dev_flags.h"

#include "absl/flags/flag.h"

ABSL_FLAG(bool, tls, false,
          "dev: serve gRPC and the dashboard over TLS with a throwaway CA made in DATA_DIR/tls "
          "(clients: --tls_ca=DATA_DIR/tls/ca.pem or FANOUT_TLS_CA)");
ABSL_FLAG(std::string, auth, "",
          "dev: required or off (default: off on loopback, required beyond it)");
ABSL_FLAG(std::string, data_dir, ".fanout", "dev: the embedded coordinator's data directory");
ABSL_FLAG(int, workers, 2, "dev: in-process workers");
ABSL_FLAG(int, slots, 4, "dev: slots per worker");
ABSL_FLAG(std::string, listen, "127.0.0.1:7070",
          "dev: where the coordinator listens (port 0: any)");
ABSL_FLAG(std::string, port_file, "", "dev: write the bound port here once serving");
ABSL_FLAG(std::string, trigger_config, "",
          "dev: also run a trigger with these rules (see examples/triggers/)");
ABSL_FLAG(std::string, http_listen, "127.0.0.1:7080",
          "dev: where the web dashboard (and /metrics) listens (empty: none; port 0: any)");
ABSL_FLAG(std::string, trigger_listen, "127.0.0.1:7071",
          "dev: where the trigger's webhook listens");
