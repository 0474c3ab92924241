#include "coordinator/split_runner.h"

#include <atomic>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "coordinator/in_memory_job_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fanout::coordinator {
namespace {

using ::testing::HasSubstr;

// Items "0".."n-1"; the cursor is the next index. Item 5 is a bad entry. Can be told to fail.
class CountingSource : public SequentialSource {
 public:
  CountingSource(int n, std::atomic<int>* unavailable, absl::Status* broken)
      : n_(n), unavailable_(unavailable), broken_(broken) {}
  absl::StatusOr<SourceBatch> Next(absl::string_view cursor, size_t max) override {
    if (!broken_->ok()) return *broken_;
    if (unavailable_->load() > 0) {
      --*unavailable_;
      return absl::UnavailableError("listing timed out");
    }
    int at = 0;
    (void)absl::SimpleAtoi(cursor, &at);
    SourceBatch b;
    for (; at < n_ && b.items.size() < max; ++at) {
      if (at == 5) {
        b.items.push_back({"\"bad\"", "m line 6: not valid JSON"});
      } else {
        b.items.push_back({absl::StrCat(at), std::nullopt});
      }
    }
    b.cursor = absl::StrCat(at);
    b.done = at >= n_;
    return b;
  }

 private:
  const int n_;
  std::atomic<int>* unavailable_;
  absl::Status* broken_;
};

class SplitRunnerTest : public ::testing::Test {
 protected:
  SplitRunner::Options Options() {
    SplitRunner::Options o;
    o.chunk = 4;
    o.ahead = 10;
    o.idle = absl::Milliseconds(5);
    o.max_failures = 3;
    return o;
  }
  std::unique_ptr<SplitRunner> Runner(int n) {
    return std::make_unique<SplitRunner>(
        store_, clock_,
        [this, n](const v1::JobSpec&) -> absl::StatusOr<std::unique_ptr<SequentialSource>> {
          return std::make_unique<CountingSource>(n, &unavailable_, &broken_);
        },
        [this] { ++arrived_; }, Options());
  }
  std::string Submit() {
    v1::JobSpec spec;
    spec.set_function("builtin:noop");
    spec.set_source("jsonl:/m.jsonl");
    return store_.SubmitJob(spec, nullptr)->job.job_id();
  }
  // Until `done`, pokes the runner and moves fake time on (100 ms a round): backoffs of seconds
  // pass in milliseconds of real time.
  v1::Job WaitFor(SplitRunner& runner, const std::string& id,
                  const std::function<bool(const v1::Job&)>& done) {
    v1::Job job;
    for (int round = 0; round < 2000; ++round) {
      job = *store_.GetJob(id);
      if (done(job)) break;
      clock_.Advance(absl::Milliseconds(100));
      runner.Poke();
      absl::SleepFor(absl::Milliseconds(2));
    }
    return job;
  }

  FakeClock clock_;
  InMemoryJobStore store_{clock_, RetryPolicy([] { return 0.5; })};
  std::atomic<int> unavailable_{0};
  absl::Status broken_;
  std::atomic<int> arrived_{0};
};

TEST(GroupIntoTasksTest, BatchesValidItemsAndIsolatesBadOnes) {
  std::vector<SourceItem> items = {{"1", {}}, {"2", {}}, {"3", {}}, {"x", "bad"}, {"4", {}}};
  std::vector<NewTask> tasks = GroupIntoTasks(std::move(items), 2);
  ASSERT_EQ(tasks.size(), 4);
  EXPECT_EQ(tasks[0].items.size(), 2);
  EXPECT_EQ(tasks[1].items.size(), 1);
  EXPECT_EQ(tasks[2].error, "bad");
  EXPECT_EQ(tasks[3].items[0], "4");
}

TEST_F(SplitRunnerTest, ReadsAheadOnlyWhileTheBacklogIsSmall) {
  const std::string id = Submit();
  std::unique_ptr<SplitRunner> runner = Runner(100);
  v1::Job job = WaitFor(*runner, id, [](const v1::Job& j) { return j.counts().total() >= 12; });
  for (int i = 0; i < 20; ++i) {  // poked again and again, it still reads no further
    runner->Poke();
    absl::SleepFor(absl::Milliseconds(2));
  }
  job = *store_.GetJob(id);
  EXPECT_EQ(job.counts().total(), 12) << "three chunks of 4, then it waits for the workers";
  EXPECT_FALSE(job.split_done());
  EXPECT_GT(arrived_.load(), 0);
  ASSERT_EQ(store_.LeaseTasks("w", 100, absl::Seconds(10))->tasks.size(), 11);  // one item was bad
  job = WaitFor(*runner, id, [](const v1::Job& j) { return j.counts().total() > 12; });
  EXPECT_GT(job.counts().total(), 12);
}

TEST_F(SplitRunnerTest, AListingToTheEndEndsTheJobWithBadEntriesFailed) {
  const std::string id = Submit();
  std::unique_ptr<SplitRunner> runner = Runner(9);
  v1::Job job = WaitFor(*runner, id, [](const v1::Job& j) { return j.split_done(); });
  ASSERT_TRUE(job.split_done());
  EXPECT_EQ(job.counts().total(), 9);
  EXPECT_EQ(job.counts().failed(), 1);
  google::protobuf::RepeatedPtrField<v1::TaskOutcome> done;
  const LeaseGrant grant = *store_.LeaseTasks("w", 100, absl::Seconds(10));
  for (const v1::LeasedTask& t : grant.tasks) {
    v1::TaskOutcome* o = done.Add();
    *o->mutable_ref() = t.ref();
    o->mutable_results()->add_results("1");
  }
  ASSERT_EQ(done.size(), 8);
  ASSERT_TRUE(store_.ReportOutcomes(done).ok());
  job = *store_.GetJob(id);
  EXPECT_EQ(job.state(), v1::JOB_FAILED) << "one bad manifest line failed, nothing tolerated";
  EXPECT_EQ(job.counts().succeeded(), 8);
  v1::Task bad = (*store_.ListTasks(id, 5, 1))[0];
  EXPECT_EQ(bad.error().code(), v1::ERROR_INVALID_INPUT);
  EXPECT_THAT(bad.error().message(), HasSubstr("line 6"));
}

TEST_F(SplitRunnerTest, AnUnreachableSourceIsRetriedThenGivenUp) {
  unavailable_ = 2;
  const std::string id = Submit();
  std::unique_ptr<SplitRunner> runner = Runner(3);
  // Two failures back off 2 s and 4 s (of fake time) before the listing goes through.
  v1::Job job = WaitFor(*runner, id, [](const v1::Job& j) { return j.split_done(); });
  EXPECT_TRUE(job.split_done()) << job.ShortDebugString();
}

TEST_F(SplitRunnerTest, ASourceThatIsWrongFailsTheJobWithItsReason) {
  broken_ = absl::InvalidArgumentError("source: s3://gone/: NoSuchBucket");
  const std::string id = Submit();
  std::unique_ptr<SplitRunner> runner = Runner(3);
  v1::Job job = WaitFor(*runner, id, [](const v1::Job& j) { return j.state() != v1::JOB_RUNNING; });
  EXPECT_EQ(job.state(), v1::JOB_FAILED);
  EXPECT_THAT(job.message(), HasSubstr("NoSuchBucket"));
}

}  // namespace
}  // namespace fanout::coordinator
