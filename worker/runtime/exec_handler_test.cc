// Runtime exec with real processes: stdin to stdout, exits and their stderr, a command that does
// not read its event, the time limit.
#include "worker/runtime/exec_handler.h"

#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "common/clock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace fanout::worker {
namespace {

absl::StatusOr<std::string> Exec(const std::string& command, const std::string& item,
                                 absl::Duration time = absl::Seconds(20)) {
  FunctionConfig config;
  config.name = "cmd";
  config.runtime = "exec";
  config.handler = command;
  config.task_root = std::getenv("TEST_TMPDIR") != nullptr ? std::getenv("TEST_TMPDIR") : "/tmp";
  RuntimeSettings settings;
  settings.enforce_limits = false;
  ExecHandler handler(config, settings);
  Context::Setup setup;
  setup.deadline = MonotonicClock::Get().Now() + time;
  Context context(MonotonicClock::Get(), std::move(setup));
  const nlohmann::json params = nlohmann::json::object();
  Event event{item, params, "job-1", 0, 0};
  return handler.Invoke(event, context);
}

TEST(ExecHandlerTest, TheEventGoesInOnStdinAndStdoutIsTheResult) {
  EXPECT_EQ(*Exec("cat", R"({"a":1})"), R"({"a":1})");
  EXPECT_EQ(*Exec("echo plain words", "{}"), R"("plain words")");  // not JSON: a JSON string
  EXPECT_EQ(*Exec("printf '%s' \"$FANOUT_JOB_ID\"", "{}"), R"("job-1")");
}

TEST(ExecHandlerTest, ANonZeroExitFailsWithTheTailOfStderr) {
  absl::StatusOr<std::string> r = Exec("echo 'no such thing' >&2; exit 4", "{}");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInternal);
  const nlohmann::json error = nlohmann::json::parse(r.status().message());
  EXPECT_EQ(error["errorType"], "Runtime.ExitError");
  EXPECT_NE(error["errorMessage"].get<std::string>().find("exit 4: no such thing"),
            std::string::npos);
}

TEST(ExecHandlerTest, ACommandThatDoesNotReadABigEventLeavesTheWorkerStanding) {
  // 4 MiB does not fit the pipe: the writer meets a closed pipe (EPIPE, never SIGPIPE).
  const std::string big = absl::StrCat("\"", std::string(4 << 20, 'x'), "\"");
  EXPECT_EQ(*Exec("echo done", big), R"("done")");
}

TEST(ExecHandlerTest, TheTimeLimitKillsTheCommand) {
  const absl::Time start = absl::Now();
  absl::StatusOr<std::string> r = Exec("sleep 30", "{}", absl::Milliseconds(300));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
}

}  // namespace
}  // namespace fanout::worker
