#include "trigger/schedule_runner.h"

#include <map>

#include "gtest/gtest.h"

namespace fanout::trigger {
namespace {

// Deduplicates by idempotency key as the coordinator does; can play unreachable.
class KeyedSubmitter : public JobSubmitter {
 public:
  absl::StatusOr<Submitted> Submit(const v1::JobSpec& spec) override {
    ++calls;
    if (down) return absl::UnavailableError("coordinator: connection refused");
    const bool created = jobs.emplace(spec.idempotency_key(), spec).second;
    return Submitted{spec.idempotency_key(), created};
  }
  std::vector<std::string> Keys() const {
    std::vector<std::string> out;
    for (const auto& [key, spec] : jobs) out.push_back(key);
    return out;
  }
  bool down = false;
  int calls = 0;
  std::map<std::string, v1::JobSpec> jobs;
};

absl::Time At(int h, int m, int s = 0) {
  return absl::FromCivil(absl::CivilSecond(2026, 11, 27, h, m, s), absl::UTCTimeZone());
}

Rule Every5Minutes(bool catch_up) {
  Rule rule;
  rule.name = "tick";
  rule.source = "schedule";
  rule.schedule.cron = "*/5 * * * *";
  rule.schedule.catch_up = catch_up;
  rule.job.set_function("builtin:noop");
  return rule;
}

class ScheduleRunnerTest : public ::testing::Test {
 protected:
  std::unique_ptr<ScheduleRunner> Start(const Rule& rule) {
    return std::make_unique<ScheduleRunner>(rule, *CronSchedule::Parse(rule.schedule.cron, ""),
                                            clock_, submitter_);
  }
  void TickAt(ScheduleRunner& runner, absl::Time t) {
    clock_.Set(t);
    runner.Tick();
  }
  FakeClock clock_{At(12, 2, 30)};
  KeyedSubmitter submitter_;
};

TEST_F(ScheduleRunnerTest, FiresExactlyAtItsTimesAcrossARestart) {
  const Rule rule = Every5Minutes(false);
  auto runner = Start(rule);
  EXPECT_EQ(runner->Tick(), At(12, 5));  // 12:00 was 2.5 min ago: missed, skipped
  TickAt(*runner, At(12, 4, 59));
  EXPECT_TRUE(submitter_.jobs.empty());
  TickAt(*runner, At(12, 5));
  TickAt(*runner, At(12, 9));
  TickAt(*runner, At(12, 10, 20));
  EXPECT_EQ(submitter_.Keys(), (std::vector<std::string>{"cron/tick/2026-11-27T12:05:00Z",
                                                         "cron/tick/2026-11-27T12:10:00Z"}));
  // A restart within the grace of 12:10 fires it again: the coordinator's key makes it no job.
  runner = Start(rule);
  TickAt(*runner, At(12, 10, 40));
  EXPECT_EQ(runner->fired(), 0u);
  TickAt(*runner, At(12, 15));
  EXPECT_EQ(submitter_.jobs.size(), 3u);
  const v1::JobSpec& spec = submitter_.jobs.at("cron/tick/2026-11-27T12:15:00Z");
  EXPECT_EQ(spec.source(), R"([{"rule":"tick","scheduled_time":"2026-11-27T12:15:00Z"}])");
  EXPECT_EQ(spec.params_json(), R"({"scheduled_time":"2026-11-27T12:15:00Z"})");
  EXPECT_EQ(spec.labels().at("trigger"), "tick");
}

// Said at the start, so that a rule firing in minutes does not look like one that never will.
TEST_F(ScheduleRunnerTest, ItSaysWhenItRunsNext) {
  auto runner = Start(Every5Minutes(false));
  EXPECT_EQ(runner->NextRun(), "schedule tick: next run 2026-11-27T12:05:00Z (in 2m30s)");
  TickAt(*runner, At(12, 5));
  EXPECT_EQ(runner->NextRun(), "schedule tick: next run 2026-11-27T12:10:00Z (in 5m)");
}

TEST_F(ScheduleRunnerTest, ANewCatchUpRuleFiresTheLatestPastTimeOnceASkipRuleWaits) {
  clock_.Set(At(12, 14));
  auto skip = Start(Every5Minutes(false));
  skip->Tick();
  EXPECT_TRUE(submitter_.jobs.empty());
  auto catch_up = Start(Every5Minutes(true));
  catch_up->Tick();
  catch_up->Tick();
  EXPECT_EQ(submitter_.Keys(), (std::vector<std::string>{"cron/tick/2026-11-27T12:10:00Z"}));
}

TEST_F(ScheduleRunnerTest, MissedTimesAreSkippedOrCaughtUpOnce) {
  for (bool catch_up : {false, true}) {
    submitter_.jobs.clear();
    clock_.Set(At(12, 10, 30));  // 12:10 is on time (within the grace)
    auto runner = Start(Every5Minutes(catch_up));
    TickAt(*runner, At(12, 15));
    runner.reset();  // down over 12:20, 12:25 and 12:30
    clock_.Set(At(12, 33));
    runner = Start(Every5Minutes(catch_up));
    TickAt(*runner, At(12, 33));
    TickAt(*runner, At(12, 35));
    std::vector<std::string> expected = {"cron/tick/2026-11-27T12:10:00Z",
                                         "cron/tick/2026-11-27T12:15:00Z"};
    if (catch_up) expected.push_back("cron/tick/2026-11-27T12:30:00Z");
    expected.push_back("cron/tick/2026-11-27T12:35:00Z");
    EXPECT_EQ(submitter_.Keys(), expected) << "catch_up " << catch_up;
  }
}

TEST_F(ScheduleRunnerTest, AStalledRunnerCatchesUpOnlyTheLatestMissedTime) {
  clock_.Set(At(12, 10, 30));
  auto runner = Start(Every5Minutes(true));
  runner->Tick();
  TickAt(*runner, At(12, 31, 30));  // 12:15 .. 12:30 all passed unseen; 12:30 by more than grace
  EXPECT_EQ(submitter_.Keys(), (std::vector<std::string>{"cron/tick/2026-11-27T12:10:00Z",
                                                         "cron/tick/2026-11-27T12:30:00Z"}));
}

TEST_F(ScheduleRunnerTest, AFireTheCoordinatorCouldNotTakeIsRetriedUntilItIs) {
  clock_.Set(At(12, 4));
  auto runner = Start(Every5Minutes(false));
  submitter_.down = true;
  clock_.Set(At(12, 5));
  EXPECT_EQ(runner->Tick(), At(12, 5, 1));  // again in a second
  submitter_.down = false;
  TickAt(*runner, At(12, 6, 30));  // past the grace: still fired, it was due on time
  EXPECT_EQ(submitter_.Keys(), (std::vector<std::string>{"cron/tick/2026-11-27T12:05:00Z"}));
  EXPECT_EQ(runner->fired(), 1u);
}

}  // namespace
}  // namespace fanout::trigger
