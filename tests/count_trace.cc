#include "tests/count_trace.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "nlohmann/json.hpp"

namespace fanout::testing {

std::vector<TraceRange> ReadTrace(const std::string& path) {
  std::vector<TraceRange> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    TraceRange r;
    if (fields >> r.invocation >> r.from >> r.to >> r.unix_ms) out.push_back(r);
  }
  return out;
}

TraceSummary Summarize(const std::vector<TraceRange>& ranges, int64_t n) {
  TraceSummary s;
  std::vector<std::pair<int64_t, int64_t>> sorted;
  for (const TraceRange& r : ranges) {
    s.executed += r.to - r.from;
    s.invocations.insert(r.invocation);
    sorted.emplace_back(r.from, r.to);
  }
  std::sort(sorted.begin(), sorted.end());
  int64_t reached = 0;  // every step below it is covered
  for (const auto& [from, to] : sorted) {
    if (from > reached) break;
    reached = std::max(reached, to);
  }
  s.covered = reached >= n;
  if (!s.covered) s.gap = "step " + std::to_string(reached) + " never executed";
  s.repeated = s.executed - std::min(n, reached);
  return s;
}

v1::JobSpec CountJobSpec(int tasks, int64_t steps, int64_t every, const std::string& trace_dir,
                         int timeout_s) {
  nlohmann::json items = nlohmann::json::array();
  for (int i = 0; i < tasks; ++i) items.push_back({{"n", steps}});
  v1::JobSpec spec;
  spec.set_function("builtin:count");
  spec.set_source(items.dump());
  spec.set_params_json(
      nlohmann::json{{"step_us", 1000}, {"checkpoint_every", every}, {"trace_dir", trace_dir}}
          .dump());
  spec.mutable_options()->mutable_timeout()->set_seconds(timeout_s);
  spec.mutable_options()->set_max_attempts(50);
  return spec;
}

}  // namespace fanout::testing
