// JobStore conformance: byte budgets. A lease grant stops at kBatchBytes of items and cursors, so
// that no response is too big to carry.
#include <string>

#include "absl/strings/str_cat.h"
#include "common/limits.h"
#include "coordinator/job_store_builders.h"
#include "coordinator/job_store_conformance.h"
#include "coordinator/splitter.h"

namespace fanout::coordinator {
namespace {

using builders::kTtl;
using builders::Spec;

TEST_P(JobStoreConformanceTest, LeaseGrantsAreCutAtTheBatchBudget) {
  // Five tasks of a 6 MiB item each: 16 MiB takes two (the first always goes).
  const std::string big = absl::StrCat("\"", std::string((6 << 20) - 100, 'x'), "\"");
  v1::JobSpec spec = Spec();
  spec.set_source(absl::StrCat("[", big, ",", big, ",", big, ",", big, ",", big, "]"));
  absl::StatusOr<SubmitOutcome> job = store().SubmitJob(spec, *MakeSplitter(spec.source(), 1));
  ASSERT_TRUE(job.ok()) << job.status();
  size_t leased = 0;
  for (int call = 0; call < 3; ++call) {
    absl::StatusOr<LeaseGrant> grant = store().LeaseTasks("w", 1000, kTtl);
    ASSERT_TRUE(grant.ok());
    size_t bytes = 0;
    for (const v1::LeasedTask& t : grant->tasks) bytes += t.items(0).size();
    EXPECT_EQ(grant->tasks.size(), call < 2 ? 2u : 1u) << "call " << call;
    EXPECT_LE(bytes, kBatchBytes);
    leased += grant->tasks.size();
  }
  EXPECT_EQ(leased, 5u);
}

}  // namespace
}  // namespace fanout::coordinator
