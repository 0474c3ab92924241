// The `fanout` command line as a newcomer meets it, on the real binary and with no coordinator:
// help for every command (exit 0), typos and misplaced flags (exit 2, with a suggestion), bad
// values, the version, and the exit codes that need no job. cli_test has those that do.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/process.h"

namespace fanout::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

CommandResult Fanout(std::vector<std::string> args) {
  // Nothing listens there: a command that got as far as calling would fail with 3.
  return RunCommand(Runfile("cli/fanout"), args, absl::Seconds(30),
                    {"FANOUT_COORDINATOR=127.0.0.1:1"});
}

struct Command {
  std::string name;
  std::vector<std::string> flags;  // each must be listed by its help
};

TEST(CliUsageTest, EveryCommandsHelpExitsZeroAndListsItsFlags) {
  const std::vector<Command> commands = {
      {"submit", {"--function", "--source", "--param", "--wait", "--results", "--timeout"}},
      {"status", {"--json"}},
      {"watch", {"--json"}},
      {"list", {"--limit", "--json"}},
      {"cancel", {"--json"}},
      {"update", {"--max_concurrency"}},
      {"redrive", {"--from_scratch"}},
      {"results", {}},
      {"logs", {"--task", "--follow"}},
      {"workers", {"--json"}},
      {"function", {"--code", "--runtime", "--env", "--secret_env"}},
      {"invoke", {"--payload"}},
      {"token", {"--role", "--name"}},
      {"cost", {"--free_tier", "--requests", "--duration"}},
      {"help", {}},
      {"version", {}},
      {"dev", {"--data_dir", "--workers", "--slots", "--trigger_config"}},
  };
  for (const Command& c : commands) {
    for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
             {c.name, "--help"}, {c.name, "-h"}, {"help", c.name}}) {
      CommandResult r = Fanout(args);
      EXPECT_EQ(r.exit_code, 0) << args[0] << " " << args[1] << ": " << r.err;
      EXPECT_THAT(r.out, HasSubstr("fanout " + c.name)) << args[0] << " " << args[1];
      for (const std::string& flag : c.flags) EXPECT_THAT(r.out, HasSubstr(flag)) << c.name;
    }
  }
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"help"}, {"--help"}, {"-h"}}) {
    CommandResult r = Fanout(args);
    EXPECT_EQ(r.exit_code, 0) << args[0];
    EXPECT_THAT(r.out, HasSubstr("Exit codes:"));
    EXPECT_THAT(r.out, HasSubstr("s3-manifest://")) << "every source kind is listed";
  }
}

TEST(CliUsageTest, TyposExitTwoWithASuggestion) {
  struct Typo {
    std::vector<std::string> args;
    std::string says;
  };
  const std::vector<Typo> typos = {
      {{"submit", "--sorce=range:1-2"}, "unknown flag --sorce; did you mean --source?"},
      {{"submit", "--wiat"}, "did you mean --wait?"},
      {{"status", "--jsn", "job-1"}, "did you mean --json?"},
      {{"sumbit"}, "unknown command 'sumbit'; did you mean 'submit'?"},
      {{"help", "stauts"}, "did you mean 'status'?"},
      {{"status", "--wait", "job-1"}, "--wait is not a flag of status"},
      {{"submit", "--timeout=5"}, "a duration, like"},
      {{"submit", "--batch_size=many"}, "--batch_size=many"},
      {{"list", "--limit"}, "needs a value"},
      {{"submit", "--frobnicate"}, "unknown flag --frobnicate"},
  };
  for (const Typo& t : typos) {
    CommandResult r = Fanout(t.args);
    EXPECT_EQ(r.exit_code, 2) << t.args[0] << " " << t.args.back() << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr(t.says)) << t.args[0] << " " << t.args.back();
  }
  // Nothing close: no suggestion is made up.
  EXPECT_THAT(Fanout({"submit", "--frobnicate"}).err, Not(HasSubstr("did you mean")));
}

TEST(CliUsageTest, VersionIsTheBuildsAndTheBuildMode) {
  for (const std::string& args : {"--version", "version"}) {
    CommandResult r = Fanout({args});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_THAT(r.out,
                ::testing::MatchesRegex("fanout [0-9]+\\.[0-9]+\\.[0-9]+ \\((optimized|debug) "
                                        "build\\)\n"));
  }
}

TEST(CliUsageTest, ExitCodesThatNeedNoJob) {
  EXPECT_EQ(Fanout({}).exit_code, 2) << "no command";
  CommandResult r = Fanout({"list"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_THAT(r.err, HasSubstr("cannot reach the coordinator at 127.0.0.1:1"));
  // --json: the error is a JSON line on stdout too.
  r = Fanout({"status", "job-1", "--json"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.out, HasSubstr(R"("exit_code":3)"));
  // A host without a port is the default port, not port 0; a URL is refused before dialing.
  r = Fanout({"list", "--coordinator=127.0.0.1"});
  EXPECT_THAT(r.err, HasSubstr("127.0.0.1:7070"));
  r = Fanout({"list", "--coordinator=::1"});
  EXPECT_THAT(r.err, HasSubstr("[::1]:7070")) << "a bare IPv6 address, bracketed";
  r = Fanout({"list", "--coordinator=http://127.0.0.1:7070"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("is a URL; give HOST:PORT"));
  // A negative concurrency is not "the flag is missing".
  r = Fanout({"update", "job-1", "--max_concurrency=-5"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("-5 is negative"));
  r = Fanout({"update", "job-1"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--max_concurrency=N is required"));
  // -1, the flag's default, given: negative too, not "required" (update) or "no limit" (submit).
  r = Fanout({"update", "job-1", "--max_concurrency=-1"});
  EXPECT_THAT(r.err, HasSubstr("-1 is negative"));
  r = Fanout({"submit", "--function=builtin:noop", "--source=[1]", "--max_concurrency=-1"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("-1 is negative"));
}

// Found by trying the CLI as a newcomer: each used to hang, wrap or mislabel.
TEST(CliUsageTest, BadValuesAndAnUnreachableWatchEndWithTheirCodes) {
  // `watch` never reached the coordinator: exit 3 at once, not "reconnecting..." forever.
  CommandResult r = Fanout({"watch", "job-1"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_THAT(r.err, HasSubstr("cannot reach the coordinator at 127.0.0.1:1"));
  // A job id that is not UTF-8 is a usage error, not "cannot reach the coordinator".
  r = Fanout({"status", std::string("job-") + char(0xff)});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("not valid UTF-8"));
  // Any flag's value: --handler, --description, --declare_params reached the serializer.
  for (const char* flag : {"--handler=", "--description=", "--declare_params=w:"}) {
    r = Fanout({"function", "create", "f", "--code=.", std::string(flag) + char(0xff)});
    EXPECT_EQ(r.exit_code, 2) << flag << r.err;
    EXPECT_THAT(r.err, HasSubstr("not valid UTF-8")) << flag;
  }
  r = Fanout(
      {"function", "create", "f", "--code=.", "--secret_env", std::string("K=s3cr") + char(0xff)});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, Not(HasSubstr("s3cr"))) << "a secret is not echoed";
  // A port gRPC would wrap to another one.
  r = Fanout({"list", "--coordinator=127.0.0.1:99999"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("'99999' is not a port (1-65535)"));
  // fanout-dev's own flags: a typo is a usage error with a suggestion, as everywhere else.
  r = Fanout({"dev", "--lisen=127.0.0.1:0"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("unknown flag --lisen; did you mean --listen?"));
  // --json: usage errors too are a JSON line on stdout.
  r = Fanout({"submit", "--wiat", "--json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.out, HasSubstr(R"("exit_code":2)"));
  r = Fanout({"status", "--json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.out, HasSubstr(R"("exit_code":2)"));
  r = Fanout({"logs", "job-1", "--task=-1"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("--task=-1 is negative"));
  // A dev whose jobs could never run.
  r = Fanout({"dev", "--slots=0", "--listen=127.0.0.1:0", "--data_dir=" + TestDir("dev-slots")});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("--slots: 0 is not a positive count"));
  // cost: an estimate's flags beside a JOB were dropped silently; alone it blamed --requests.
  r = Fanout({"cost", "job-1", "--memory_mb=1024"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("--memory_mb is for an estimate"));
  r = Fanout({"cost"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("give a JOB, or --requests=N --duration=D"));
  r = Fanout({"cost", "--requests=10"});
  EXPECT_THAT(r.err, HasSubstr("--duration: missing"));
  r = Fanout({"list", "--limit=0"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("--limit=0 is not a positive count"));
  EXPECT_EQ(Fanout({"status"}).exit_code, 2) << "no JOB";
}

// Money too small for cents is shown with the digits that make it non-zero; JSON amounts carry no
// float noise.
TEST(CliUsageTest, TinyCostsAreShownNotRoundedToZero) {
  const std::vector<std::string> estimate = {"cost", "--requests=10", "--duration=100ms",
                                             "--memory_mb=128"};
  CommandResult text = Fanout(estimate);
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("= $0.000002\n"));  // 10 requests at $0.0000002
  EXPECT_THAT(text.out, Not(HasSubstr("$0.00\n")));
  std::vector<std::string> json = estimate;
  json.push_back("--json");
  CommandResult j = Fanout(json);
  ASSERT_EQ(j.exit_code, 0) << j.err;
  EXPECT_THAT(j.out, HasSubstr(R"("exact_total_usd":4.083e-06)"));
  EXPECT_THAT(j.out, HasSubstr(R"("price_per_request":2e-07)"));
  EXPECT_THAT(j.out, Not(HasSubstr("0000000000")));
}

}  // namespace
}  // namespace fanout::testing
