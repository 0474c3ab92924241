// The flags of `fanout dev` (the fanout-dev binary), apart from the client's: the client does not
// link the servers they configure.
#ifndef FANOUT_CLI_DEV_FLAGS_H_
#define FANOUT_CLI_DEV_FLAGS_H_

#include <string>

#include "absl/flags/declare.h"

ABSL_DECLARE_FLAG(bool, tls);
ABSL_DECLARE_FLAG(std::string, auth);
ABSL_DECLARE_FLAG(std::string, data_dir);
ABSL_DECLARE_FLAG(int, workers);
ABSL_DECLARE_FLAG(int, slots);
ABSL_DECLARE_FLAG(std::string, listen);
ABSL_DECLARE_FLAG(std::string, port_file);
ABSL_DECLARE_FLAG(std::string, trigger_config);
ABSL_DECLARE_FLAG(std::string, http_listen);
ABSL_DECLARE_FLAG(std::string, trigger_listen);

#endif  // FANOUT_CLI_DEV_FLAGS_H_
