// Cron expressions (five fields, @every, @daily...) and a time zone after a newline; a schedule
// that parses is asked for its next few firings.
#include "absl/time/clock.h"
#include "fuzz/fuzzed.h"
#include "trigger/cron.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text = fanout::fuzz::Text(data, size);
  const size_t newline = text.find('\n');
  const std::string spec(text.substr(0, newline));
  const std::string zone(newline == absl::string_view::npos ? "UTC" : text.substr(newline + 1));
  absl::StatusOr<fanout::trigger::CronSchedule> cron =
      fanout::trigger::CronSchedule::Parse(spec, zone);
  if (!cron.ok()) return 0;
  absl::Time t = absl::FromUnixSeconds(1'700'000'000);
  (void)cron->Previous(t);
  for (int i = 0; i < 3 && t != absl::InfiniteFuture(); ++i) t = cron->Next(t);
  return 0;
}
