// Reading Prometheus text exposition in tests: scraping a /metrics endpoint, checking it with
// promtool, and picking sample values out of it.
#ifndef FANOUT_TESTS_METRICS_TEXT_H_
#define FANOUT_TESTS_METRICS_TEXT_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"

namespace fanout::testing {

// GET http://127.0.0.1:PORT/metrics.
absl::StatusOr<std::string> Scrape(int port);
// `promtool check metrics` on `text`: OK, or what it complained about.
absl::Status PromtoolCheck(const std::string& text);
// The value of the series written exactly `series` (name plus its {labels}, as exposed).
std::optional<double> SampleValue(const std::string& text, const std::string& series);
// The sum over every series of metric `name` whose labels contain each of `label_matches`
// (e.g. {"job_id=\"job-1\""}); 0 when none.
double SumOf(const std::string& text, const std::string& name,
             const std::vector<std::string>& label_matches = {});

}  // namespace fanout::testing

#endif  // FANOUT_TESTS_METRICS_TEXT_H_
