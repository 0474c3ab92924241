// fanout-dev: `fanout dev`, a coordinator, workers and (optionally) a trigger in one process. Its
// own binary so that the client, which execs it, links none of the servers and starts fast.
#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/strings/match.h"
#include "cli/client.h"
#include "cli/command_line.h"
#include "cli/dev.h"
#include "common/process_util.h"
#include "common/suggest.h"
#include "glog/logging.h"

namespace {

bool AsksForHelp(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "-h" || arg == "--help" || arg == "-help" || arg == "--helpfull") return true;
  }
  return false;
}

// The flags `fanout dev --help` lists.
const std::vector<std::string>& DevFlags() {
  static const auto* const kFlags = new std::vector<std::string>{
      "data_dir",   "workers",        "slots",           "listen", "http_listen",
      "port_file",  "trigger_config", "trigger_listen",  "tls",    "auth",
      "file_roots", "cache_dir",      "function_log_dir"};
  return *kFlags;
}

// A flag fanout-dev does not have: exit 2 with a suggestion, as the client's commands do (absl
// would exit 1, the code for "the job did not succeed").
int UnknownFlag(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string name = argv[i];
    if (name == "--" || name.size() < 2 || name[0] != '-') continue;
    name = name.substr(name[1] == '-' ? 2 : 1);
    name = name.substr(0, name.find('='));
    // absl's own (--version, --flagfile, ...) are not in its registry.
    static const auto* const kAbsl = new std::vector<std::string>{
        "version",         "flagfile",  "fromenv",     "tryfromenv", "undefok",
        "only_check_args", "helpshort", "helppackage", "helpon",     "helpmatch"};
    if (std::find(kAbsl->begin(), kAbsl->end(), name) != kAbsl->end() ||
        absl::FindCommandLineFlag(name) != nullptr ||
        (absl::StartsWith(name, "no") && absl::FindCommandLineFlag(name.substr(2)) != nullptr)) {
      continue;
    }
    const std::string close = fanout::Suggest(name, DevFlags());
    std::cerr << "fanout dev: unknown flag --" << name
              << (close.empty() ? "" : "; did you mean --" + close + "?")
              << " (fanout dev --help lists them)\n";
    return fanout::cli::kExitUsage;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (AsksForHelp(argc, argv)) {  // absl's own --help exits 1 and lists every library's flags
    std::cout << "fanout dev [flags]\n  a coordinator, workers (and a trigger) in one process, "
                 "for trying fanout on one machine\n\nFlags:\n"
              << fanout::cli::FlagsHelp(DevFlags());
    return 0;
  }
  if (int unknown = UnknownFlag(argc, argv)) return unknown;
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
