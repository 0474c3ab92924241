// A function's process: output handed over in full before its answer counts, the whole group
// killed, the child's own signal mask.
#include "worker/runtime/child_process.h"

#include <unistd.h>

#include <atomic>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace fanout::worker {
namespace {

TEST(ChildProcessTest, DrainOutputWaitsUntilWhatWasWrittenReachedTheSink) {
  const std::string marker = absl::StrCat(std::getenv("TEST_TMPDIR"), "/written");
  ChildSpec spec;
  // 256 KiB to stdout, then a mark that it was all written (the pipe holds the last 64 KiB).
  spec.argv = {"/bin/sh", "-c",
               absl::StrCat("head -c 262144 /dev/zero; touch ", marker, "; sleep 30")};
  std::atomic<size_t> received{0};
  absl::StatusOr<std::unique_ptr<ChildProcess>> child =
      ChildProcess::Start(spec, [&](int, absl::string_view bytes) {
        absl::SleepFor(absl::Milliseconds(20));  // a slow sink: the reader lags the writer
        received += bytes.size();
      });
  ASSERT_TRUE(child.ok()) << child.status();
  while (::access(marker.c_str(), F_OK) != 0) absl::SleepFor(absl::Milliseconds(1));
  // All written, not all read yet: without the drain, the end of the output would be missing.
  EXPECT_LT(received.load(), 262144u);
  (*child)->DrainOutput(absl::Seconds(10));
  EXPECT_EQ(received.load(), 262144u);
  (*child)->KillGroup();
  EXPECT_TRUE((*child)->WaitExit(absl::Now() + absl::Seconds(10)));
}

TEST(ChildProcessTest, TheChildStartsWithNoSignalBlockedAndDiesWithItsGroup) {
  sigset_t term;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &term, nullptr);  // as the worker's threads have it
  ChildSpec spec;
  spec.argv = {"/bin/sh", "-c", "grep SigBlk /proc/self/status; sleep 30 & wait"};
  std::string out;
  absl::Mutex mu;
  absl::StatusOr<std::unique_ptr<ChildProcess>> child =
      ChildProcess::Start(spec, [&](int, absl::string_view bytes) {
        absl::MutexLock lock(&mu);
        out.append(bytes.data(), bytes.size());
      });
  ASSERT_TRUE(child.ok());
  (*child)->DrainOutput(absl::Seconds(1));
  absl::SleepFor(absl::Milliseconds(200));
  (*child)->KillGroup();
  ASSERT_TRUE((*child)->WaitExit(absl::Now() + absl::Seconds(10)));
  absl::MutexLock lock(&mu);
  EXPECT_NE(out.find("SigBlk:\t0000000000000000"), std::string::npos) << out;
  EXPECT_EQ((*child)->ExitDescription(), "signal 9 (Killed)");
}

}  // namespace
}  // namespace fanout::worker
