#include "tests/multihost_checker.h"

#include <algorithm>
#include <fstream>
#include <map>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "proto/worker_service.pb.h"
#include "tests/count_trace.h"
#include "tests/history.h"

namespace fanout::testing {
namespace {

// The step a count task's checkpoint stands at.
int64_t CountStep(const std::string& cursor) {
  v1::TaskCheckpoint cp;
  if (!cp.ParseFromString(cursor)) return -1;
  nlohmann::json c = nlohmann::json::parse(cp.cursor(), nullptr, false);
  return c.is_object() && c.contains("next") ? c["next"].get<int64_t>() : 0;
}

// When each lease (epoch) of a task executed steps: its first and last trace record.
int64_t MaxOverlapMs(const std::vector<TraceRange>& trace) {
  std::map<std::string, std::pair<int64_t, int64_t>> span;  // invocation -> first, last
  for (const TraceRange& r : trace) {
    const std::string epoch = r.invocation.substr(r.invocation.rfind('/') + 1);
    auto [it, fresh] = span.try_emplace(epoch, r.unix_ms, r.unix_ms);
    it->second.first = std::min(it->second.first, r.unix_ms);
    it->second.second = std::max(it->second.second, r.unix_ms);
  }
  int64_t overlap = 0;
  for (auto a = span.begin(); a != span.end(); ++a) {
    for (auto b = std::next(a); b != span.end(); ++b) {
      const int64_t both =
          std::min(a->second.second, b->second.second) - std::max(a->second.first, b->second.first);
      overlap = std::max(overlap, both);
    }
  }
  return overlap;
}

}  // namespace

RunVerdict CheckRun(const std::vector<v1::Task>& tasks, const std::string& history_dir,
                    const std::string& trace_dir, int64_t steps) {
  RunVerdict v;
  const History history = ReadHistory(history_dir);
  for (const auto& [key, h] : history) {
    v.stale_refused += h.stale;
    if (h.accepted.size() > 1) ++v.duplicate_commits;
  }
  for (const std::string& bad : CheckHistory(history, tasks, CountStep)) {
    if (bad.find("leases") == std::string::npos) ++v.stale_commits;  // duplicates counted above
    v.violations.push_back(bad);
  }
  std::vector<int64_t> executed_at;  // every trace record of the job (one per 20 ms a handler ran)
  for (const v1::Task& t : tasks) {
    int succeeded = 0;
    for (const v1::Attempt& a : t.attempts()) succeeded += a.outcome() == v1::TASK_SUCCEEDED;
    if (succeeded > 1) {
      ++v.duplicate_commits;
      v.violations.push_back(absl::StrCat("task ", t.index(), ": ", succeeded, " attempts won"));
    }
    const std::vector<TraceRange> trace =
        ReadTrace(absl::StrCat(trace_dir, "/", t.job_id(), ".", t.index(), ".0.trace"));
    const TraceSummary summary = Summarize(trace, steps);
    if (t.state() != v1::TASK_SUCCEEDED || !summary.covered) {
      ++v.lost;
      v.violations.push_back(absl::StrCat("task ", t.index(), ": ", v1::TaskState_Name(t.state()),
                                          summary.covered ? "" : ", missing step " + summary.gap));
    }
    v.repeated_steps += summary.repeated;
    v.max_overlap_ms = std::max(v.max_overlap_ms, MaxOverlapMs(trace));
    for (const TraceRange& r : trace) executed_at.push_back(r.unix_ms);
  }
  std::sort(executed_at.begin(), executed_at.end());
  for (size_t i = 1; i < executed_at.size(); ++i) {
    v.max_stall_ms = std::max(v.max_stall_ms, executed_at[i] - executed_at[i - 1]);
  }
  return v;
}

int HistoryLines(const std::string& path) {
  std::ifstream in(path);
  return static_cast<int>(
      std::count(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>(), '\n'));
}

}  // namespace fanout::testing
