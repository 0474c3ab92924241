#include "trigger/cron.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fanout::trigger {
namespace {

using ::testing::HasSubstr;

absl::Time Utc(int y, int mo, int d, int h, int mi) {
  return absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), absl::UTCTimeZone());
}

CronSchedule Cron(const std::string& spec, const std::string& zone = "UTC") {
  absl::StatusOr<CronSchedule> s = CronSchedule::Parse(spec, zone);
  EXPECT_TRUE(s.ok()) << s.status();
  return *s;
}

TEST(CronTest, FieldsRangesStepsAndNames) {
  const CronSchedule s = Cron("*/15 9-17 * * mon-fri");
  // Friday 2026-11-27 16:50 -> 17:00, then 17:45 -> Monday 09:00.
  EXPECT_EQ(s.Next(Utc(2026, 11, 27, 16, 50)), Utc(2026, 11, 27, 17, 0));
  EXPECT_EQ(s.Next(Utc(2026, 11, 27, 17, 45)), Utc(2026, 11, 30, 9, 0));
  EXPECT_EQ(s.Previous(Utc(2026, 11, 30, 8, 59)), Utc(2026, 11, 27, 17, 45));
  EXPECT_EQ(s.Previous(Utc(2026, 11, 30, 9, 0)), Utc(2026, 11, 30, 9, 0));
  EXPECT_EQ(Cron("0 0 1 jan *").Next(Utc(2026, 11, 27, 0, 0)), Utc(2027, 1, 1, 0, 0));
  EXPECT_EQ(Cron("@daily").Next(Utc(2026, 11, 27, 0, 0)), Utc(2026, 11, 28, 0, 0));
  EXPECT_EQ(Cron("0 12 * * 7").Next(Utc(2026, 11, 27, 0, 0)), Utc(2026, 11, 29, 12, 0));
}

TEST(CronTest, DayOfMonthAndDayOfWeekBothRestrictedMeansEither) {
  // The 1st of the month or any Monday, at midnight.
  const CronSchedule s = Cron("0 0 1 * 1");
  EXPECT_EQ(s.Next(Utc(2026, 11, 27, 0, 0)), Utc(2026, 11, 30, 0, 0));  // Monday the 30th
  EXPECT_EQ(s.Next(Utc(2026, 11, 30, 0, 0)), Utc(2026, 12, 1, 0, 0));   // Tuesday the 1st
}

TEST(CronTest, TimeZonesAndEvery) {
  // 03:00 in Berlin is 02:00 UTC in winter.
  EXPECT_EQ(Cron("0 3 * * *", "Europe/Berlin").Next(Utc(2026, 11, 27, 12, 0)),
            Utc(2026, 11, 28, 2, 0));
  const CronSchedule every = Cron("@every 10m");
  EXPECT_EQ(every.Next(Utc(2026, 11, 27, 12, 3)), Utc(2026, 11, 27, 12, 10));
  EXPECT_EQ(every.Previous(Utc(2026, 11, 27, 12, 10)), Utc(2026, 11, 27, 12, 10));
  EXPECT_EQ(Cron("0 0 30 2 *").Next(Utc(2026, 1, 1, 0, 0)), absl::InfiniteFuture());
}

TEST(CronTest, BadSpecsNameTheField) {
  EXPECT_THAT(std::string(CronSchedule::Parse("61 * * * *", "UTC").status().message()),
              HasSubstr("minute: '61' is not 0-59"));
  EXPECT_THAT(std::string(CronSchedule::Parse("* * *", "UTC").status().message()),
              HasSubstr("has 3 fields; expected 5"));
  EXPECT_THAT(std::string(CronSchedule::Parse("* * * * funday", "UTC").status().message()),
              HasSubstr("day of week: 'funday'"));
  EXPECT_THAT(std::string(CronSchedule::Parse("@every 0s", "UTC").status().message()),
              HasSubstr("at least 1s"));
  EXPECT_THAT(std::string(CronSchedule::Parse("@daily", "Mars/Olympus").status().message()),
              HasSubstr("time_zone: 'Mars/Olympus'"));
}

TEST(CronTest, AStepNearIntMaxEndsTheWalkInsteadOfWrapping) {
  // Found by review: v += step overflowed and wrote far outside the field's bits.
  absl::StatusOr<CronSchedule> s = CronSchedule::Parse("1/2147483647 */2147483647 * * *", "UTC");
  ASSERT_TRUE(s.ok()) << s.status();
  const absl::Time t = absl::FromUnixSeconds(1'700'000'000);
  EXPECT_GT(s->Next(t), t);
}

}  // namespace
}  // namespace fanout::trigger
