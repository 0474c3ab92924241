// fanout-dev: `fanout dev`, a coordinator, workers and (optionally) a trigger in one process. Its
// own binary so that the client, which execs it, links none of the servers and starts fast.
#include <iostream>

#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "cli/client.h"
#include "cli/command_line.h"
#include "cli/dev.h"
#include "common/process_util.h"
#include "glog/logging.h"

namespace {

bool AsksForHelp(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "-h" || arg == "--help" || arg == "-help" || arg == "--helpfull") return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  if (AsksForHelp(argc, argv)) {  // absl's own --help exits 1 and lists every library's flags
    std::cout << "fanout dev [flags]\n  a coordinator, workers (and a trigger) in one process, "
                 "for trying fanout on one machine\n\nFlags:\n"
              << fanout::cli::FlagsHelp({"data_dir", "workers", "slots", "listen", "http_listen",
                                         "port_file", "trigger_config", "trigger_listen", "tls",
                                         "auth", "file_roots"});
    return 0;
  }
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
