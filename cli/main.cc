// fanout: the command-line client. The command line is parsed and checked by command_line.h, then
// handed to the command (commands.h); `fanout dev` execs the fanout-dev binary.
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "cli/client.h"
#include "cli/command_line.h"
#include "cli/commands.h"
#include "cli/exec_dev.h"
#include "cli/flags.h"
#include "cli/interrupt.h"
#include "nlohmann/json.hpp"

namespace fanout::cli {
namespace {

// The command's arguments, if there are between `min` and `max` of them; else says so.
bool Arguments(const CommandLine& line, size_t min, size_t max, const std::string& what) {
  if (line.args.size() >= min && line.args.size() <= max) return true;
  const std::string message =
      absl::StrCat("expected ", what, " (fanout ", line.command, " --help)");
  std::cerr << "fanout " << line.command << ": " << message << "\n";
  if (absl::GetFlag(FLAGS_json)) {
    std::cout << nlohmann::json{{"error", message}, {"exit_code", kExitUsage}}.dump() << "\n";
  }
  return false;
}

int Run(const CommandLine& line) {
  const std::string& c = line.command;
  const std::string job = line.args.empty() ? "" : line.args[0];
  if (c == "submit") return Arguments(line, 0, 0, "no arguments") ? SubmitCommand(line.params) : 2;
  if (c == "function") return FunctionCommand(line.args, line.env);
  if (c == "token") return TokenCommand(line.args);
  if (c == "invoke") {
    return Arguments(line, 1, 1, "one NAME[:VERSION] argument") ? InvokeCommand(job, line.params)
                                                                : 2;
  }
  if (c == "list") return Arguments(line, 0, 0, "no arguments") ? ListCommand() : 2;
  if (c == "workers") return Arguments(line, 0, 0, "no arguments") ? WorkersCommand() : 2;
  if (c == "cost") return Arguments(line, 0, 1, "at most one JOB argument") ? CostCommand(job) : 2;
  if (!Arguments(line, 1, 1, "one JOB argument")) return kExitUsage;
  if (c == "status") return StatusCommand(job);
  if (c == "watch") return WatchCommand(job);
  if (c == "cancel") return CancelCommand(job);
  if (c == "update") return UpdateCommand(job);
  if (c == "redrive") return RedriveCommand(job);
  if (c == "results") return ResultsCommand(job);
  if (c == "logs") return LogsCommand(job);
  std::cerr << "fanout: " << c << ": not handled\n";  // a command in the table without a case
  return kExitUsage;
}

}  // namespace
}  // namespace fanout::cli

int main(int argc, char** argv) {
  // Before any flag is parsed: fanout-dev has flags of its own.
  if (fanout::cli::IsDevCommand(argc, argv)) return fanout::cli::ExecDev(argc, argv);
  fanout::cli::HandleInterrupts();
  fanout::cli::Parsed parsed = fanout::cli::ParseCommandLine(argc, argv);
  if (!parsed.line) return parsed.exit_code;
  // `fanout --tls_ca FILE dev`: a flag's value came first, so IsDevCommand missed it.
  if (parsed.line->command == "dev") {
    if (parsed.line->args == std::vector<std::string>{"--help"}) {  // `fanout help dev`
      char* help[] = {argv[0], const_cast<char*>("dev"), const_cast<char*>("--help")};
      return fanout::cli::ExecDev(3, help);
    }
    return fanout::cli::ExecDev(argc, argv);
  }
  return fanout::cli::Run(*parsed.line);
}
