// Cron schedules: five fields (minute hour day-of-month month day-of-week; `*`, lists, ranges,
// steps, month and weekday names; day-of-month and day-of-week both restricted means either
// matches, as in cron), the shortcuts @hourly @daily @weekly @monthly @yearly, and `@every
// DURATION` (multiples of DURATION since the Unix epoch, so that every trigger and every restart
// agrees on the times), evaluated in a time zone.
#ifndef FANOUT_TRIGGER_CRON_H_
#define FANOUT_TRIGGER_CRON_H_

#include <bitset>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace fanout::trigger {

class CronSchedule {
 public:
  // INVALID_ARGUMENT naming the field at fault.
  static absl::StatusOr<CronSchedule> Parse(const std::string& spec, const std::string& time_zone);

  // The first scheduled time strictly after `t`; InfiniteFuture if there is none (Feb 30).
  absl::Time Next(absl::Time t) const;
  // The last scheduled time at or before `t`; InfinitePast if none within five years.
  absl::Time Previous(absl::Time t) const;

 private:
  bool Matches(const absl::CivilMinute& c) const;
  bool DayMatches(const absl::CivilDay& d) const;

  absl::TimeZone zone_;
  absl::Duration every_ = absl::ZeroDuration();  // @every; the fields below are unused then
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_;     // 1..31
  std::bitset<13> months_;   // 1..12
  std::bitset<7> weekdays_;  // 0 = Sunday
  bool any_day_ = true, any_weekday_ = true;
};

}  // namespace fanout::trigger

#endif  // FANOUT_TRIGGER_CRON_H_
