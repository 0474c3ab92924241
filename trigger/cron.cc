#include "trigger/cron.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace fanout::trigger {
namespace {

constexpr int kMaxSteps = 500'000;  // enough to cross several years field by field

struct Field {
  const char* name;
  int min, max;
  std::vector<std::string> names;  // names[i] means min + i
};

const Field kFields[] = {
    {"minute", 0, 59, {}},
    {"hour", 0, 23, {}},
    {"day of month", 1, 31, {}},
    {"month",
     1,
     12,
     {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}},
    {"day of week", 0, 7, {"sun", "mon", "tue", "wed", "thu", "fri", "sat"}},
};

bool Value(const Field& field, absl::string_view text, int* out) {
  const std::string lower = absl::AsciiStrToLower(text);
  for (size_t i = 0; i < field.names.size(); ++i) {
    if (lower == field.names[i]) return *out = field.min + static_cast<int>(i), true;
  }
  return absl::SimpleAtoi(text, out) && *out >= field.min && *out <= field.max;
}

// Sets the bits of `text` (e.g. "1-5,*/15,mon") in `bits`, indexed by value.
absl::Status ParseField(const Field& field, absl::string_view text, std::vector<bool>* bits) {
  bits->assign(field.max + 1, false);
  auto bad = [&](absl::string_view part) {
    return absl::InvalidArgumentError(absl::StrCat(field.name, ": '", part, "' is not ", field.min,
                                                   "-", field.max, ", *, a range, a ",
                                                   "list or a step"));
  };
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    std::vector<absl::string_view> range_step = absl::StrSplit(part, absl::MaxSplits('/', 1));
    int first = field.min, last = field.max, step = 1;
    if (range_step.size() == 2 && (!absl::SimpleAtoi(range_step[1], &step) || step < 1)) {
      return bad(part);
    }
    if (range_step[0] != "*") {
      std::vector<absl::string_view> ends = absl::StrSplit(range_step[0], absl::MaxSplits('-', 1));
      if (!Value(field, ends[0], &first)) return bad(part);
      last = range_step.size() == 2 && ends.size() == 1 ? field.max : first;
      if (ends.size() == 2 && !Value(field, ends[1], &last)) return bad(part);
      if (last < first) return bad(part);
    }
    // In 64 bits: a step near INT_MAX must end the walk, not wrap it around.
    for (int64_t v = first; v <= last; v += step) (*bits)[v] = true;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<CronSchedule> CronSchedule::Parse(const std::string& spec,
                                                 const std::string& time_zone) {
  CronSchedule s;
  if (!absl::LoadTimeZone(time_zone.empty() ? "UTC" : time_zone, &s.zone_)) {
    return absl::InvalidArgumentError(
        absl::StrCat("time_zone: '", time_zone, "' is not a known zone such as Europe/Berlin"));
  }
  std::string text(absl::StripAsciiWhitespace(spec));
  if (absl::StartsWith(text, "@every ")) {
    const std::string d(absl::StripAsciiWhitespace(text.substr(7)));
    if (!absl::ParseDuration(d, &s.every_) || s.every_ < absl::Seconds(1)) {
      return absl::InvalidArgumentError(
          absl::StrCat("cron: '@every ", d, "' needs a duration of at least 1s, like 10m"));
    }
    return s;
  }
  if (text == "@hourly") text = "0 * * * *";
  if (text == "@daily" || text == "@midnight") text = "0 0 * * *";
  if (text == "@weekly") text = "0 0 * * 0";
  if (text == "@monthly") text = "0 0 1 * *";
  if (text == "@yearly" || text == "@annually") text = "0 0 1 1 *";
  std::vector<std::string> fields = absl::StrSplit(text, ' ', absl::SkipEmpty());
  if (fields.size() != 5) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cron: '", spec, "' has ", fields.size(), " fields; expected 5 (minute hour day-of-month ",
        "month day-of-week), @daily and the like, or @every DURATION"));
  }
  std::vector<bool> bits[5];
  for (int i = 0; i < 5; ++i) {
    if (absl::Status st = ParseField(kFields[i], fields[i], &bits[i]); !st.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("cron: ", st.message()));
    }
  }
  for (int v = 0; v < 60; ++v) s.minutes_[v] = bits[0][v];
  for (int v = 0; v < 24; ++v) s.hours_[v] = bits[1][v];
  for (int v = 1; v <= 31; ++v) s.days_[v] = bits[2][v];
  for (int v = 1; v <= 12; ++v) s.months_[v] = bits[3][v];
  for (int v = 0; v <= 7; ++v) s.weekdays_[v % 7] = s.weekdays_[v % 7] || bits[4][v];
  s.any_day_ = fields[2] == "*";
  s.any_weekday_ = fields[4] == "*";
  return s;
}

bool CronSchedule::DayMatches(const absl::CivilDay& d) const {
  const bool day = days_[d.day()];
  const bool weekday = weekdays_[(static_cast<int>(absl::GetWeekday(d)) + 1) % 7];
  if (!any_day_ && !any_weekday_) return day || weekday;  // cron: either restriction
  return day && weekday;
}

absl::Time CronSchedule::Next(absl::Time t) const {
  if (every_ > absl::ZeroDuration()) {
    return absl::UnixEpoch() + absl::Floor(t - absl::UnixEpoch(), every_) + every_;
  }
  absl::CivilMinute c = absl::ToCivilMinute(t, zone_) + 1;
  for (int step = 0; step < kMaxSteps; ++step) {
    if (!months_[c.month()]) {
      c = absl::CivilMinute(absl::CivilMonth(c) + 1);
    } else if (!DayMatches(absl::CivilDay(c))) {
      c = absl::CivilMinute(absl::CivilDay(c) + 1);
    } else if (!hours_[c.hour()]) {
      c = absl::CivilMinute(absl::CivilHour(c) + 1);
    } else if (!minutes_[c.minute()]) {
      c += 1;
    } else {
      const absl::Time at = absl::FromCivil(c, zone_);
      if (at > t) return at;
      c += 1;
    }
  }
  return absl::InfiniteFuture();
}

absl::Time CronSchedule::Previous(absl::Time t) const {
  if (every_ > absl::ZeroDuration()) {
    return absl::UnixEpoch() + absl::Floor(t - absl::UnixEpoch(), every_);
  }
  absl::CivilMinute c = absl::ToCivilMinute(t, zone_);
  for (int step = 0; step < kMaxSteps; ++step) {
    if (!months_[c.month()]) {
      c = absl::CivilMinute(absl::CivilMonth(c)) - 1;
    } else if (!DayMatches(absl::CivilDay(c))) {
      c = absl::CivilMinute(absl::CivilDay(c)) - 1;
    } else if (!hours_[c.hour()]) {
      c = absl::CivilMinute(absl::CivilHour(c)) - 1;
    } else if (!minutes_[c.minute()]) {
      c -= 1;
    } else {
      const absl::Time at = absl::FromCivil(c, zone_);
      if (at <= t) return at;
      c -= 1;
    }
  }
  return absl::InfinitePast();
}

}  // namespace fanout::trigger
