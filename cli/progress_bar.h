// The live progress line of `fanout submit --wait`: done/total, a bar, rate over the last seconds
// and the ETA it implies. Redraws in place on a terminal; prints a line every few seconds
// otherwise.
#ifndef FANOUT_CLI_PROGRESS_BAR_H_
#define FANOUT_CLI_PROGRESS_BAR_H_

#include <deque>
#include <ostream>
#include <string>
#include <utility>

#include "absl/time/time.h"
#include "common/task_counts.h"
#include "proto/fanout.pb.h"

namespace fanout::cli {

// Thread-compatible. Owned by the submit command.
class ProgressBar {
 public:
  ProgressBar(std::ostream& out, bool terminal) : out_(out), terminal_(terminal) {}

  void Update(const v1::Job& job, absl::Time now);
  // Prints a note (e.g. "reconnecting") in place of the bar until the next update.
  void Note(const std::string& text);
  // Ends the line.
  void Finish();

  // Exposed for tests: the line Update would draw.
  std::string Render(const v1::Job& job, absl::Time now);

 private:
  std::ostream& out_;
  const bool terminal_;
  std::deque<std::pair<absl::Time, uint64_t>> samples_;  // (when, tasks done), last ~10 s
  absl::Time last_printed_ = absl::InfinitePast();
  bool drawn_ = false;
};

// "938", "12", "0.2": a rate with a decimal when under 10, so that a slow job does not read 0.
std::string RateText(double per_second);
// "1 task", "7 tasks".
std::string Tasks(uint64_t n);
// Handlers running now; the leases when the coordinator did not say.
uint64_t HandlersRunning(const v1::TaskCounts& c);
// "  running 8 (+3 leased)": handlers running now, and the other tasks leased to workers (queued
// there to start next); "" when none is leased.
std::string RunningText(const v1::TaskCounts& c);

}  // namespace fanout::cli

#endif  // FANOUT_CLI_PROGRESS_BAR_H_
