// One conformance suite for every JobStore implementation. An implementation's test instantiates
// JobStoreConformanceTest with a factory for its harness:
//   INSTANTIATE_TEST_SUITE_P(RocksDb, JobStoreConformanceTest, ::testing::Values(&MakeHarness));
#ifndef FANOUT_COORDINATOR_JOB_STORE_CONFORMANCE_H_
#define FANOUT_COORDINATOR_JOB_STORE_CONFORMANCE_H_

#include <memory>

#include "common/clock.h"
#include "coordinator/job_store.h"
#include "gtest/gtest.h"

namespace fanout::coordinator {

class StoreHarness {
 public:
  virtual ~StoreHarness() = default;
  virtual JobStore& store() = 0;
  // Closes the store and opens it again over the same data, as a restarted coordinator would.
  // Returns false for implementations that keep nothing (those tests are skipped).
  virtual bool Reopen() = 0;
};

// `policy` draws jitter deterministically; `clock` is the suite's FakeClock.
using HarnessFactory = std::unique_ptr<StoreHarness> (*)(Clock& clock, RetryPolicy policy);

class JobStoreConformanceTest : public ::testing::TestWithParam<HarnessFactory> {
 protected:
  void SetUp() override;
  JobStore& store() { return harness_->store(); }
  // Submits `spec` over range:0-(tasks-1): items "0", "1", ...
  absl::StatusOr<SubmitOutcome> Submit(v1::JobSpec spec, int tasks);

  FakeClock clock_;
  std::unique_ptr<StoreHarness> harness_;
};

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_JOB_STORE_CONFORMANCE_H_
