// The `fanout` command line: which command, its flags and arguments. Every command declares the
// flags it reads, so that `fanout CMD --help` lists exactly those (with their defaults), a flag of
// another command is refused by name, and a typo gets a suggestion. Nothing here talks to a
// coordinator.
#ifndef FANOUT_CLI_COMMAND_LINE_H_
#define FANOUT_CLI_COMMAND_LINE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "cli/commands.h"

namespace fanout::cli {

struct CommandSpec {
  std::string name;
  std::string args;     // what follows the name, e.g. "JOB"
  std::string summary;  // one line
  std::vector<std::string> flags;
};

// Every command, in the order `fanout help` lists them.
const std::vector<CommandSpec>& Commands();
// Flags every command takes (the coordinator's address and credentials).
const std::vector<std::string>& GlobalFlags();

struct CommandLine {
  std::string command;              // "" for `fanout` alone
  std::vector<std::string> args;    // the positional arguments after the command
  std::vector<std::string> params;  // --param KEY=VALUE, in order
  std::vector<EnvFlag> env;         // --env and --secret_env, in order
};

// Parses argv[1..] and sets the flags. Returns the exit code instead when the process should end
// now: 0 after printing help or the version, 2 after explaining a usage error on stderr.
struct Parsed {
  std::optional<CommandLine> line;
  int exit_code = 0;
};
Parsed ParseCommandLine(int argc, char** argv);
// Whether the command line parsed last named flag NAME (its value may equal the default).
bool FlagGiven(absl::string_view name);

// The help of one command ("" for the overview).
std::string Help(const std::string& command);
// One line per flag: its name, kind, help and default.
std::string FlagsHelp(const std::vector<std::string>& names);
// "fanout VERSION (BUILD build)".
std::string VersionLine();

}  // namespace fanout::cli

#endif  // FANOUT_CLI_COMMAND_LINE_H_
