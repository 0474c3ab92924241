#include "coordinator/fan_in/fan_in_runner.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "coordinator/in_memory_job_store.h"
#include "coordinator/job_store_builders.h"
#include "coordinator/splitter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace fanout::coordinator {
namespace {

using builders::Failure;
using builders::Success;
using nlohmann::json;
using ::testing::HasSubstr;

std::vector<json> ReadLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<json> out;
  for (std::string line; std::getline(in, line);) out.push_back(json::parse(line));
  return out;
}

class FanInRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // As the sink names it: canonical (TempDir ends with a slash).
    dir_ = std::filesystem::path(::testing::TempDir() + "/fan_in_" + std::to_string(getpid()))
               .lexically_normal()
               .string();
  }

  std::unique_ptr<FanInRunner> Runner(FanInRunner::SinkFactory sinks = nullptr) {
    if (!sinks) {
      sinks = [](const v1::Job& job) {
        return OpenManifestSink(job.spec().results(), job.job_id(),
                                *FileRoots::Make({"/"}, {}, "roots"));
      };
    }
    FanInRunner::Options o;
    o.idle = absl::Milliseconds(5);
    o.max_failures = 3;
    o.retry_base = absl::Milliseconds(5);
    // Real time for the runner's own waits (5 ms): the store's clock stays fake.
    return std::make_unique<FanInRunner>(
        store_, RealClock::Get(), std::move(sinks),
        [this](const v1::JobSpec& spec) -> absl::StatusOr<v1::Job> {
          reduces_.push_back(spec);
          v1::Job job;
          job.set_job_id("reduce-job");
          return job;
        },
        [] {}, o);
  }

  // A job of items 0..n-1, batches of 2, writing its manifests under dir_.
  std::string Submit(int n, const std::string& name, double tolerated_percent = 0) {
    v1::JobSpec spec = builders::Spec(1);
    spec.set_source(absl::StrCat("range:0-", n - 1));
    spec.mutable_options()->set_batch_size(2);
    spec.mutable_options()->set_tolerated_failure_percent(tolerated_percent);
    spec.set_results(absl::StrCat("jsonl:", dir_, "/", name, ".jsonl"));
    spec.set_reduce("builtin:noop");
    return store_.SubmitJob(spec, *MakeSplitter(spec.source(), 2))->job.job_id();
  }

  // Leases every task and succeeds it, except those holding an item in `fail`.
  void RunAll(const std::set<std::string>& fail = {}) {
    absl::StatusOr<LeaseGrant> grant = store_.LeaseTasks("w", 1000, absl::Seconds(10));
    ASSERT_TRUE(grant.ok());
    google::protobuf::RepeatedPtrField<v1::TaskOutcome> outcomes;
    for (const v1::LeasedTask& t : grant->tasks) {
      const bool bad = fail.count(t.items(0)) > 0;
      *outcomes.Add() = bad ? Failure(t, v1::ERROR_FATAL) : Success(t);
    }
    ASSERT_TRUE(store_.ReportOutcomes(outcomes).ok());
  }

  v1::Job WaitForFanIn(const std::string& id) {
    v1::Job job;
    for (absl::Time end = absl::Now() + absl::Seconds(10); absl::Now() < end;) {
      job = *store_.GetJob(id);
      if (job.fan_in().state() != v1::FanIn::FAN_IN_PENDING) break;
      absl::SleepFor(absl::Milliseconds(5));
    }
    return job;
  }

  std::string dir_;
  FakeClock clock_;
  InMemoryJobStore store_{clock_, RetryPolicy([] { return 0.5; })};
  std::vector<v1::JobSpec> reduces_;  // touched by the runner's thread until it is gone
};

TEST_F(FanInRunnerTest, SucceededJobGetsItsManifestsAndOneReduce) {
  const std::string id = Submit(5, "ok", 50);
  RunAll({"2"});
  auto runner = Runner();
  v1::Job job = WaitForFanIn(id);
  runner.reset();
  ASSERT_EQ(job.state(), v1::JOB_SUCCEEDED);
  const v1::FanIn& f = job.fan_in();
  ASSERT_EQ(f.state(), v1::FanIn::FAN_IN_WRITTEN) << f.error();
  EXPECT_EQ(f.result_items(), 3);
  EXPECT_EQ(f.failed_items(), 2) << "items 2 and 3 shared the task that failed";
  EXPECT_EQ(f.manifest(), dir_ + "/ok.manifest.json");
  ASSERT_EQ(f.result_files_size(), 1);
  std::vector<json> results = ReadLines(f.result_files(0));
  ASSERT_EQ(results.size(), 3);
  EXPECT_EQ(results[0], json::parse(R"({"item":0,"result":"r0","task":0})"));
  EXPECT_EQ(results[2]["item"], 4);
  std::vector<json> failed = ReadLines(dir_ + "/ok.failed.jsonl");
  ASSERT_EQ(failed.size(), 2);
  EXPECT_EQ(failed[0], json::parse(R"({"item":2,"state":"failed","code":"fatal",
                                       "message":"boom","attempts":1,"task":1})"));
  json manifest = ReadLines(f.manifest())[0];
  EXPECT_EQ(manifest["state"], "succeeded");
  EXPECT_EQ(manifest["results"]["files"][0], f.result_files(0));
  EXPECT_EQ(manifest["tasks"]["failed"], 1);
  ASSERT_EQ(reduces_.size(), 1);
  EXPECT_EQ(f.reduce_job_id(), "reduce-job");
  json item = json::parse(reduces_[0].source())[0];
  EXPECT_EQ(item["manifest"], f.manifest());
  EXPECT_EQ(item["results"]["items"], 3);
  EXPECT_EQ(reduces_[0].idempotency_key(), "fanout.reduce/" + id + "/0");
}

TEST_F(FanInRunnerTest, FailedJobGetsManifestsButNoReduce) {
  const std::string id = Submit(4, "failed");
  RunAll({"0"});
  auto runner = Runner();
  v1::Job job = WaitForFanIn(id);
  runner.reset();
  ASSERT_EQ(job.state(), v1::JOB_FAILED);
  EXPECT_EQ(job.fan_in().state(), v1::FanIn::FAN_IN_WRITTEN);
  EXPECT_EQ(ReadLines(dir_ + "/failed.failed.jsonl").size(), 2);
  EXPECT_EQ(ReadLines(dir_ + "/failed.jsonl").size(), 2);
  EXPECT_TRUE(reduces_.empty());
  EXPECT_TRUE(job.fan_in().reduce_job_id().empty());
}

TEST_F(FanInRunnerTest, CancelledJobListsEveryItemThatNeverRan) {
  const std::string id = Submit(10'000, "cancelled");
  ASSERT_TRUE(store_.LeaseTasks("w", 1, absl::Seconds(10)).ok());
  ASSERT_TRUE(store_.CancelJob(id).ok());
  auto runner = Runner();
  v1::Job job = WaitForFanIn(id);
  runner.reset();
  ASSERT_EQ(job.fan_in().state(), v1::FanIn::FAN_IN_WRITTEN) << job.fan_in().error();
  std::vector<json> failed = ReadLines(dir_ + "/cancelled.failed.jsonl");
  ASSERT_EQ(failed.size(), 10'000) << "tasks never materialized are listed too";
  EXPECT_EQ(failed[9'999]["item"], 9'999);
  EXPECT_EQ(failed[9'999]["state"], "cancelled");
  EXPECT_TRUE(ReadLines(dir_ + "/cancelled.jsonl").empty());
  EXPECT_TRUE(reduces_.empty());
}

TEST_F(FanInRunnerTest, AnUnwritableDestinationEndsTheFanInWithTheReason) {
  const std::string id = Submit(2, "x");
  RunAll();
  int tries = 0;
  auto runner = Runner([&tries](const v1::Job&) -> absl::StatusOr<std::unique_ptr<ManifestSink>> {
    ++tries;
    return absl::UnavailableError("results: cannot write s3://gone/x: NoSuchBucket");
  });
  v1::Job job = WaitForFanIn(id);
  runner.reset();
  EXPECT_EQ(job.fan_in().state(), v1::FanIn::FAN_IN_FAILED);
  EXPECT_THAT(job.fan_in().error(), HasSubstr("NoSuchBucket"));
  EXPECT_EQ(tries, 3);
  EXPECT_TRUE(reduces_.empty());
}

TEST_F(FanInRunnerTest, ARedriveMakesTheOldFanInStaleAndTheNextEndWritesAnew) {
  const std::string id = Submit(2, "redriven");
  RunAll({"0"});
  ASSERT_EQ(store_.GetJob(id)->fan_in().state(), v1::FanIn::FAN_IN_PENDING);
  ASSERT_TRUE(store_.RedriveJob(id, false).ok());
  EXPECT_EQ(store_.GetJob(id)->fan_in().state(), v1::FanIn::FAN_IN_NONE);
  EXPECT_EQ(store_.RecordFanIn(id, 0, v1::FanIn()).status().code(),
            absl::StatusCode::kFailedPrecondition);
  clock_.Advance(absl::Minutes(1));  // past the redriven task's backoff
  RunAll();
  auto runner = Runner();
  v1::Job job = WaitForFanIn(id);
  runner.reset();
  EXPECT_EQ(job.state(), v1::JOB_SUCCEEDED);
  EXPECT_EQ(job.fan_in().result_items(), 2);
  ASSERT_EQ(reduces_.size(), 1);
  EXPECT_EQ(reduces_[0].idempotency_key(), "fanout.reduce/" + id + "/1");
}

TEST(ResultsSpecTest, ClearErrors) {
  EXPECT_TRUE(ValidateResultsSpec("").ok());
  EXPECT_TRUE(ValidateResultsSpec("store").ok());
  EXPECT_TRUE(ValidateResultsSpec("jsonl:/tmp/r.jsonl").ok());
  EXPECT_TRUE(ValidateResultsSpec("s3://bucket/prefix").ok());
  EXPECT_THAT(ValidateResultsSpec("jsonl:r.jsonl").message(), HasSubstr("absolute path"));
  EXPECT_THAT(ValidateResultsSpec("jsonl:/tmp/").message(), HasSubstr("directory"));
  EXPECT_THAT(ValidateResultsSpec("s3:///x").message(), HasSubstr("results: "));
  EXPECT_THAT(ValidateResultsSpec("ftp://x").message(), HasSubstr("none of store"));
}

}  // namespace
}  // namespace fanout::coordinator
