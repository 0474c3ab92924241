// Sandboxed functions (bubblewrap, as root): a function cannot read the coordinator's data dir,
// another function's code or a token file, cannot write its own code, runs as the function user
// with a private bounded /tmp, and a process it leaves behind dies with its invocation.
#include "worker/runtime/sandbox.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/clock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/process.h"
#include "worker/runtime/exec_handler.h"

namespace fanout::worker {
namespace {

using ::fanout::testing::ProcessesMentioning;

namespace fs = std::filesystem;

class SandboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "the sandbox needs root (or user namespaces)";
    std::string why_not;
    absl::StatusOr<SandboxSettings> sandbox = DetectSandbox("auto", "nobody", 1 << 20, &why_not);
    ASSERT_TRUE(sandbox.ok()) << sandbox.status();
    if (!sandbox->enabled) GTEST_SKIP() << "no sandbox here: " << why_not;
    settings_.sandbox = *sandbox;
    settings_.enforce_limits = false;
    base_ = fs::path(std::getenv("TEST_TMPDIR")) / "sandbox";
    fs::remove_all(base_);
    for (const char* dir : {"fn/code", "other/code", "data"}) fs::create_directories(base_ / dir);
    std::ofstream(base_ / "fn/code/mine.txt") << "mine";
    std::ofstream(base_ / "other/code/theirs.txt") << "theirs";
    std::ofstream(base_ / "data/CURRENT") << "MANIFEST-000001";
    std::ofstream(base_ / "worker.token") << "fanout_abc_secret";
    // As the code cache leaves them: the cache's own directories private to the worker.
    fs::permissions(base_, fs::perms::owner_all);
  }

  absl::StatusOr<std::string> Exec(const std::string& command) {
    FunctionConfig config;
    config.name = "sandboxed";
    config.runtime = "exec";
    config.handler = command;
    config.task_root = (base_ / "fn/code").string();
    ExecHandler handler(config, settings_);
    Context::Setup setup;
    setup.deadline = MonotonicClock::Get().Now() + absl::Seconds(20);
    Context context(MonotonicClock::Get(), std::move(setup));
    const nlohmann::json params = nlohmann::json::object();
    return handler.Invoke(Event{"{}", params, "job-1", 0, 0}, context);
  }

  RuntimeSettings settings_;
  fs::path base_;
};

TEST_F(SandboxTest, AFunctionSeesItsOwnCodeAndNothingElseOfTheWorker) {
  EXPECT_EQ(*Exec("cat mine.txt"), R"("mine")");
  for (const std::string& other :
       {(base_ / "other/code/theirs.txt").string(), (base_ / "data/CURRENT").string(),
        (base_ / "worker.token").string(), std::string("/root")}) {
    absl::StatusOr<std::string> read = Exec("cat " + other);
    EXPECT_FALSE(read.ok()) << other << " was readable: " << *read;
  }
  EXPECT_FALSE(Exec("echo x > mine.txt").ok()) << "the code is read-only";
  EXPECT_FALSE(Exec("ls /etc/shadow").ok());
}

TEST_F(SandboxTest, ItRunsAsTheFunctionUserWithAPrivateBoundedTmp) {
  EXPECT_EQ(*Exec("id -u"), "65534");
  EXPECT_EQ(*Exec("echo hi > /tmp/x && cat /tmp/x"), R"("hi")");
  EXPECT_FALSE(Exec("head -c 2000000 /dev/zero > /tmp/big").ok()) << "/tmp holds 1 MiB here";
  EXPECT_EQ(*Exec("ls /tmp | wc -l"), "0") << "each invocation's /tmp is its own";
}

TEST_F(SandboxTest, AProcessLeftBehindDiesWithTheInvocation) {
  const std::string marker = absl::StrCat("fanout-orphan-", getpid());
  ASSERT_EQ(*Exec("setsid sh -c 'sleep 300; echo " + marker + "' >/dev/null 2>&1 & echo started"),
            R"("started")");
  const absl::Time end = absl::Now() + absl::Seconds(5);
  while (ProcessesMentioning(marker) > 0 && absl::Now() < end) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_EQ(ProcessesMentioning(marker), 0);
}

}  // namespace
}  // namespace fanout::worker
