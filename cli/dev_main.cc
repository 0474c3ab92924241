// fanout-dev: `fanout dev`, a coordinator, workers and (optionally) a trigger in one process. Its
// own binary so that the client, which execs it, links none of the servers and starts fast.
#include <iostream>

#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "cli/client.h"
#include "cli/dev.h"
#include "common/process_util.h"
#include "glog/logging.h"

int main(int argc, char** argv) {
  fanout::PrepareServerProcess();
  absl::SetProgramUsageMessage(
      "fanout dev [--data_dir=.fanout] [--workers=2] [--slots=4] [--listen=127.0.0.1:7070]\n"
      "    [--http_listen=127.0.0.1:7080] [--trigger_config=FILE] [--trigger_listen=...]\n"
      "A coordinator, workers (and a trigger) in one process, for trying fanout on one machine.");
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  google::InitGoogleLogging(argv[0]);
  FLAGS_logtostderr = true;
  if (positional.size() > 1) {
    std::cerr << "fanout dev: unexpected argument '" << positional[1] << "'\n";
    return fanout::cli::kExitUsage;
  }
  fanout::ExitNow(fanout::cli::DevCommand());
}
