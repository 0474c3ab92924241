#include "cli/command_line.h"

#include <algorithm>
#include <iostream>

#include "absl/container/flat_hash_set.h"
#include "absl/flags/commandlineflag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "cli/client.h"
#include "common/suggest.h"
#include "common/utf8.h"
#include "common/version.h"
#include "nlohmann/json.hpp"

namespace fanout::cli {
namespace {

// Flags that may repeat (absl keeps only the last value of a flag): their values are collected.
bool Repeatable(absl::string_view name) {
  return name == "param" || name == "env" || name == "secret_env";
}

const CommandSpec* FindCommand(absl::string_view name) {
  for (const CommandSpec& c : Commands()) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

std::vector<std::string> CommandNames() {
  std::vector<std::string> names;
  for (const CommandSpec& c : Commands()) names.push_back(c.name);
  return names;
}

// The flags `command` accepts: its own and the global ones.
std::vector<std::string> Accepted(const CommandSpec& command) {
  std::vector<std::string> flags = command.flags;
  flags.insert(flags.end(), GlobalFlags().begin(), GlobalFlags().end());
  return flags;
}

// One flag as given: --name[=value] (or -name, or --noname for a bool).
struct Given {
  std::string text;  // as typed, for messages
  std::string name;
  std::string value;
  absl::CommandLineFlag* flag = nullptr;  // null: not one of this binary's flags
};

// Set when the command line asks for --json, before its flags are applied: a usage error is then
// a JSON line on stdout too, as every later error is.
bool json_errors = false;

int Usage(const std::string& who, const std::string& message) {
  std::cerr << who << ": " << message << "\n";
  if (json_errors) {
    std::cout << nlohmann::json{{"error", message}, {"exit_code", kExitUsage}}.dump() << "\n";
  }
  return kExitUsage;
}

std::string Who(const std::string& command) {
  return command.empty() ? "fanout" : "fanout " + command;
}

// Checks and sets the given flags for `command`; the exit code on a usage error.
std::optional<int> Apply(const CommandSpec& command, std::vector<Given>& given) {
  const std::vector<std::string> accepted = Accepted(command);
  const std::string who = Who(command.name);
  const std::string see = " (fanout " + command.name + " --help lists its flags)";
  for (Given& g : given) {
    if (g.flag == nullptr && !Repeatable(g.name)) {
      const std::string close = Suggest(g.name, accepted);
      return Usage(who, absl::StrCat("unknown flag --", g.name,
                                     close.empty() ? "" : "; did you mean --" + close + "?", see));
    }
    if (std::find(accepted.begin(), accepted.end(), g.name) == accepted.end()) {
      return Usage(who, absl::StrCat("--", g.name, " is not a flag of ", command.name, see));
    }
    // Every value ends up in a protobuf string, which must be UTF-8: said here, naming the flag,
    // not as an empty error from the serializer (a secret's bytes are not echoed).
    if (!IsValidUtf8(g.value)) {
      return Usage(who, g.name == "secret_env"
                            ? std::string("--secret_env: not valid UTF-8")
                            : std::string(CheckUtf8(g.value, "--" + g.name).message()));
    }
    if (Repeatable(g.name)) continue;
    std::string error;
    if (!g.flag->ParseFrom(g.value, &error)) {
      const bool duration = g.flag->IsOfType<absl::Duration>();
      return Usage(who, absl::StrCat(g.text, ": ", error,
                                     duration ? " (a duration, like 300ms, 30s, 5m or 1h)" : ""));
    }
  }
  return std::nullopt;
}

}  // namespace

absl::flat_hash_set<std::string>& GivenFlags() {
  static auto* const kGiven = new absl::flat_hash_set<std::string>;
  return *kGiven;
}

bool FlagGiven(absl::string_view name) { return GivenFlags().contains(name); }

Parsed ParseCommandLine(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--") break;
    json_errors |= arg == "--json" || arg == "-json" || arg == "--json=true";
  }
  CommandLine line;
  std::vector<Given> given;
  bool help = false, version = false, rest_positional = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (rest_positional || arg.size() < 2 || arg[0] != '-') {
      // Job ids, names: text the coordinator will be asked about, so text it must be.
      if (absl::Status utf8 = CheckUtf8(arg, "argument"); !utf8.ok()) {
        return {std::nullopt, Usage("fanout", std::string(utf8.message()))};
      }
      (line.command.empty() ? line.command : line.args.emplace_back()) = arg;
      continue;
    }
    if (arg == "--") {
      rest_positional = true;
      continue;
    }
    Given g;
    g.text = arg;
    const std::string body = arg.substr(arg[1] == '-' ? 2 : 1);
    const size_t eq = body.find('=');
    g.name = body.substr(0, eq);
    if (g.name == "h" || g.name == "help" || g.name == "helpfull") {
      help = true;
      continue;
    }
    if (g.name == "version") {
      version = true;
      continue;
    }
    g.flag = absl::FindCommandLineFlag(g.name);
    if (g.flag == nullptr && absl::StartsWith(g.name, "no") && eq == std::string::npos) {
      absl::CommandLineFlag* negated = absl::FindCommandLineFlag(g.name.substr(2));
      if (negated != nullptr && negated->IsOfType<bool>()) {
        g.flag = negated, g.name = g.name.substr(2), g.value = "false";
        given.push_back(std::move(g));
        continue;
      }
    }
    if (eq != std::string::npos) {
      g.value = body.substr(eq + 1);
    } else if (g.flag != nullptr && g.flag->IsOfType<bool>()) {
      g.value = "true";
    } else if ((g.flag != nullptr || Repeatable(g.name)) && i + 1 < argc) {
      g.value = argv[++i];
      g.text = absl::StrCat(arg, " ", g.value);
    } else if (g.flag != nullptr || Repeatable(g.name)) {
      return {std::nullopt, Usage("fanout", arg + " needs a value: " + arg + "=VALUE")};
    }
    GivenFlags().insert(g.name);
    if (g.name == "param") line.params.push_back(g.value);
    if (g.name == "env" || g.name == "secret_env") line.env.push_back({g.value, g.name != "env"});
    given.push_back(std::move(g));
  }
  if (line.command == "help") {
    help = true;
    line.command = line.args.empty() ? "" : line.args[0];
  }
  if (!help && (version || line.command == "version")) {
    std::cout << VersionLine() << "\n";
    return {std::nullopt, kExitOk};
  }
  const CommandSpec* command = FindCommand(line.command);
  if (!line.command.empty() && command == nullptr) {
    const std::string close = Suggest(line.command, CommandNames());
    return {std::nullopt,
            Usage("fanout", absl::StrCat("unknown command '", line.command, "'",
                                         close.empty() ? "" : "; did you mean '" + close + "'?",
                                         " (fanout help lists them)"))};
  }
  if (help && line.command == "dev") {  // its flags are fanout-dev's: main asks it
    line.args = {"--help"};
    return {std::move(line), kExitOk};
  }
  if (help) {
    std::cout << Help(line.command);
    return {std::nullopt, kExitOk};
  }
  // fanout-dev judges its own flags (main execs it).
  if (line.command == "dev") return {std::move(line), kExitOk};
  if (command == nullptr) {
    std::cerr << Help("");
    return {std::nullopt, kExitUsage};
  }
  if (std::optional<int> failed = Apply(*command, given)) return {std::nullopt, *failed};
  return {std::move(line), kExitOk};
}

std::string VersionLine() { return absl::StrCat("fanout ", kVersion, " (", kBuildMode, " build)"); }

}  // namespace fanout::cli
