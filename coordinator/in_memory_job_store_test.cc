#include "coordinator/in_memory_job_store.h"

#include "coordinator/job_store_conformance.h"

namespace fanout::coordinator {
namespace {

class InMemoryHarness : public StoreHarness {
 public:
  InMemoryHarness(Clock& clock, RetryPolicy policy) : store_(clock, std::move(policy)) {}
  JobStore& store() override { return store_; }
  bool Reopen() override { return false; }

 private:
  InMemoryJobStore store_;
};

std::unique_ptr<StoreHarness> MakeHarness(Clock& clock, RetryPolicy policy) {
  return std::make_unique<InMemoryHarness>(clock, std::move(policy));
}

INSTANTIATE_TEST_SUITE_P(InMemory, JobStoreConformanceTest, ::testing::Values(&MakeHarness));

}  // namespace
}  // namespace fanout::coordinator
