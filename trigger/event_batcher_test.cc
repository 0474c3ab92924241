#include "trigger/event_batcher.h"

#include <thread>

#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace fanout::trigger {
namespace {

using nlohmann::json;

class Recorder : public JobSubmitter {
 public:
  absl::StatusOr<Submitted> Submit(const v1::JobSpec& spec) override {
    absl::MutexLock lock(&mu_);
    specs_.push_back(spec);
    return Submitted{absl::StrCat("job-", specs_.size()), true};
  }
  std::vector<v1::JobSpec> specs() {
    absl::MutexLock lock(&mu_);
    return specs_;
  }

 private:
  absl::Mutex mu_;
  std::vector<v1::JobSpec> specs_;
};

Rule Batching(uint64_t max_events, absl::Duration max_wait) {
  Rule rule;
  rule.name = "b";
  rule.source = "webhook";
  rule.batch = {max_events, max_wait};
  rule.job.set_function("builtin:noop");
  return rule;
}

TEST(EventBatcherTest, AFullBatchIsOneJobWithAKeyPerItem) {
  Recorder recorder;
  EventBatcher batcher(recorder);
  const Rule rule = Batching(3, absl::Seconds(10));
  std::vector<std::thread> posters;
  std::vector<std::string> jobs(3);
  for (int i = 0; i < 3; ++i) {
    posters.emplace_back([&, i] {
      jobs[i] = batcher.Add(rule, {json{{"n", i}}.dump()}, {absl::StrCat("k", i)})->job_id;
    });
  }
  for (std::thread& t : posters) t.join();
  ASSERT_EQ(recorder.specs().size(), 1u);
  const v1::JobSpec spec = recorder.specs()[0];
  EXPECT_EQ(json::parse(spec.source()).size(), 3u);
  EXPECT_EQ(spec.item_keys_size(), 3);
  EXPECT_TRUE(spec.idempotency_key().empty());
  EXPECT_EQ(spec.labels().at("trigger"), "b");
  EXPECT_EQ(jobs[0], "job-1");  // every caller waited for, and got, the batch's job
  EXPECT_EQ(jobs[2], "job-1");
}

TEST(EventBatcherTest, TheWindowClosesAfterMaxWait) {
  Recorder recorder;
  EventBatcher batcher(recorder);
  const absl::Time start = absl::Now();
  absl::StatusOr<Submitted> one =
      batcher.Add(Batching(100, absl::Milliseconds(150)), {R"({"n": 1})"}, {"k1"});
  ASSERT_TRUE(one.ok());
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(150));
  ASSERT_EQ(recorder.specs().size(), 1u);
  EXPECT_EQ(recorder.specs()[0].source(), R"([{"n": 1}])");
  batcher.Add(Batching(100, absl::Milliseconds(10)), {R"({"n": 2})", R"({"n": 3})"},
              {"k2", "k3"});  // a new window; one call's events stay together
  EXPECT_EQ(json::parse(recorder.specs()[1].source()).size(), 2u);
  EXPECT_EQ(recorder.specs().size(), 2u);
}

}  // namespace
}  // namespace fanout::trigger
