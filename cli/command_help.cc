// `fanout help`, `fanout help CMD`, `fanout CMD --help`: written from the command table and the
// flags' own help, so that they cannot drift from what the commands accept.
#include <algorithm>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "cli/command_line.h"

namespace fanout::cli {
namespace {

constexpr char kOverviewTail[] = R"(
Every command takes --coordinator=HOST:PORT (default $FANOUT_COORDINATOR, then 127.0.0.1:7070),
the token of $FANOUT_TOKEN or --token_file=FILE, and --tls_ca=FILE (or $FANOUT_TLS_CA) for TLS.
`fanout help COMMAND` (or `fanout COMMAND --help`) lists a command's flags and their defaults.

Sources (--source): range:A-B (both ends included); an inline JSON list '[...]', or @FILE holding
one; jsonl:PATH and csv:PATH (an item per line / record); dir:PATH (every file below it);
s3://bucket/prefix (every object); s3-manifest://bucket/key (a JSONL or .csv object). Paths are
taken relative to where you run fanout. S3 settings come from AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL.

Exit codes:
  0    done (for --wait and watch: the job succeeded)
  1    the job did not succeed (failed, cancelled), or the invoked function returned an error
  2    bad command line or input: nothing was sent, or the coordinator refused it as invalid
  3    the coordinator could not be reached, or failed
  4    denied: no token, a role that may not make the call, or a file outside --file_roots
  5    the coordinator answered that something it depends on (an S3 store, its disk) failed
  127  fanout dev: the fanout-dev binary is not beside fanout
  130  interrupted (Ctrl-C); a job being watched keeps running
)";

// "submit: the function" -> "the function": the help of a flag names its command for absl's own
// listing, which a command's help does not need.
std::string WithoutCommandPrefix(std::string help) {
  const size_t colon = help.find(": ");
  if (colon == std::string::npos || colon > 24) return help;
  for (size_t i = 0; i < colon; ++i) {
    const char c = help[i];
    if (!(c >= 'a' && c <= 'z') && c != ' ' && c != ',') return help;
  }
  return help.substr(colon + 2);
}

std::string Placeholder(const absl::CommandLineFlag& flag) {
  if (flag.IsOfType<bool>()) return "";
  if (flag.IsOfType<int>() || flag.IsOfType<int64_t>()) return "=N";
  if (flag.IsOfType<double>()) return "=X";
  if (flag.IsOfType<absl::Duration>()) return "=DURATION";
  return "=TEXT";
}

// "  --name=X   help..." with the help wrapped at 100 columns under itself.
std::string Entry(const std::string& left, const std::string& help) {
  constexpr size_t kLeft = 26, kWidth = 100;
  std::string out = absl::StrFormat("  %-*s", kLeft - 2, left);
  if (out.size() > kLeft) absl::StrAppend(&out, "\n", std::string(kLeft, ' '));
  size_t column = kLeft;
  for (absl::string_view word : absl::StrSplit(help, ' ', absl::SkipEmpty())) {
    if (column > kLeft && column + 1 + word.size() > kWidth) {
      absl::StrAppend(&out, "\n", std::string(kLeft, ' '));
      column = kLeft;
    } else if (column > kLeft) {
      out += ' ';
      ++column;
    }
    absl::StrAppend(&out, word);
    column += word.size();
  }
  return out + "\n";
}

std::string FlagLine(const std::string& name) {
  if (name == "param")
    return Entry("--param KEY=VALUE", "a parameter of the function (repeat for more)");
  if (name == "env")
    return Entry("--env KEY=VALUE", "an environment variable of the function (repeat for more)");
  if (name == "secret_env") {
    return Entry("--secret_env KEY=VALUE", "one whose value is kept secret (never printed)");
  }
  const absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
  if (flag == nullptr) return "";
  std::string help = WithoutCommandPrefix(flag->Help());
  const std::string default_value = flag->DefaultValue();
  // A default the help does not explain already ("0: no limit") is shown.
  if (!default_value.empty() && default_value != "false" && default_value != "0" &&
      default_value != "-1") {
    absl::StrAppend(&help, " [default ", default_value, "]");
  }
  return Entry(absl::StrCat("--", name, Placeholder(*flag)), help);
}

std::string Overview() {
  std::string out = "fanout COMMAND [flags] [arguments]\n\nCommands:\n";
  for (const CommandSpec& c : Commands()) {
    absl::StrAppend(&out, absl::StrFormat("  %-9s %s\n", c.name, c.summary));
  }
  return out + kOverviewTail;
}

}  // namespace

std::string FlagsHelp(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += FlagLine(name);
  return out;
}

std::string Help(const std::string& command) {
  const auto it = std::find_if(Commands().begin(), Commands().end(),
                               [&](const CommandSpec& c) { return c.name == command; });
  if (it == Commands().end()) return Overview();
  std::string out = absl::StrCat("fanout ", it->name, it->args.empty() ? "" : " " + it->args,
                                 it->flags.empty() ? "" : " [flags]", "\n  ", it->summary, "\n");
  if (!it->flags.empty()) {
    out += "\nFlags:\n";
    for (const std::string& flag : it->flags) out += FlagLine(flag);
  }
  if (it->name == "help" || it->name == "version" || it->name == "dev") return out;
  out += "\nGlobal flags:\n";
  for (const std::string& flag : GlobalFlags()) out += FlagLine(flag);
  return out;
}

}  // namespace fanout::cli
