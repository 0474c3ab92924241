#include "tests/metrics_text.h"

#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tests/http_client.h"
#include "tests/process.h"

namespace fanout::testing {

absl::StatusOr<std::string> Scrape(int port) {
  absl::StatusOr<s3::HttpResponse> response = HttpGet(port, "/metrics");
  if (!response.ok()) return response.status();
  if (response->status != 200) {
    return absl::InternalError(absl::StrCat("port ", port, " /metrics: HTTP ", response->status));
  }
  return response->body;
}

absl::Status PromtoolCheck(const std::string& text) {
  const std::string file = TestDir("metrics") + ".txt";
  std::ofstream(file) << text;
  CommandResult r = RunCommand("/bin/sh", {"-c", "promtool check metrics < '" + file + "'"});
  if (r.exit_code != 0) {
    return absl::FailedPreconditionError(absl::StrCat("promtool: ", r.out, r.err));
  }
  return absl::OkStatus();
}

std::optional<double> SampleValue(const std::string& text, const std::string& series) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (!absl::ConsumePrefix(&line, series) || !absl::ConsumePrefix(&line, " ")) continue;
    double v = 0;
    if (absl::SimpleAtod(line, &v)) return v;
  }
  return std::nullopt;
}

double SumOf(const std::string& text, const std::string& name,
             const std::vector<std::string>& label_matches) {
  double sum = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (line.empty() || line[0] == '#') continue;
    const size_t end = line.find_first_of("{ ");
    if (end == absl::string_view::npos || line.substr(0, end) != name) continue;
    bool matches = true;
    for (const std::string& m : label_matches) matches = matches && absl::StrContains(line, m);
    double v = 0;
    if (matches && absl::SimpleAtod(line.substr(line.rfind(' ') + 1), &v)) sum += v;
  }
  return sum;
}

}  // namespace fanout::testing
