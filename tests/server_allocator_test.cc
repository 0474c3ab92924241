// The servers run on jemalloc (//bazel:jemalloc): glibc's malloc cost the coordinator a fifth of
// its CPU at the noop ceiling. Checked from outside, on the real binaries: asked to, jemalloc
// prints its statistics when the process exits; glibc's malloc would print nothing.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/process.h"

namespace fanout::testing {
namespace {

using ::testing::HasSubstr;

TEST(ServerAllocatorTest, EveryServerBinaryAllocatesWithJemalloc) {
  for (const std::string binary : {"coordinator/fanout-coordinator", "worker/fanout-worker",
                                   "trigger/fanout-trigger", "cli/fanout-dev"}) {
    CommandResult r = RunCommand(Runfile(binary), {"--version"}, absl::Seconds(30),
                                 {"MALLOC_CONF=stats_print:true"});
    EXPECT_EQ(r.exit_code, 0) << binary << ": " << r.err;
    EXPECT_THAT(r.err + r.out, HasSubstr("jemalloc statistics")) << binary;
  }
}

// The control: the client keeps glibc's malloc (it links no jemalloc), and the check tells them
// apart.
TEST(ServerAllocatorTest, TheClientOnGlibcMallocPrintsNoJemallocStatistics) {
  CommandResult r = RunCommand(Runfile("cli/fanout"), {"--version"}, absl::Seconds(30),
                               {"MALLOC_CONF=stats_print:true"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err + r.out, ::testing::Not(HasSubstr("jemalloc statistics")));
}

}  // namespace
}  // namespace fanout::testing
