#include "cli/progress_bar.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace fanout::cli {

uint64_t DoneTasks(const v1::TaskCounts& c) {
  return c.succeeded() + c.failed() + c.dead() + c.cancelled();
}

namespace {

std::string FormatEta(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--";
  const int64_t s = static_cast<int64_t>(seconds + 0.5);
  if (s < 60) return absl::StrCat(s, "s");
  if (s < 3600) return absl::StrFormat("%dm%02ds", s / 60, s % 60);
  return absl::StrFormat("%dh%02dm", s / 3600, (s % 3600) / 60);
}

}  // namespace

std::string ProgressBar::Render(const v1::Job& job, absl::Time now) {
  const v1::TaskCounts& c = job.counts();
  const uint64_t done = DoneTasks(c);
  samples_.emplace_back(now, done);
  while (samples_.size() > 2 && now - samples_.front().first > absl::Seconds(10)) {
    samples_.pop_front();
  }
  double rate = 0;
  const absl::Duration span = now - samples_.front().first;
  if (span > absl::Milliseconds(200)) {
    rate = (done - samples_.front().second) / absl::ToDoubleSeconds(span);
  }
  // The job's progress counts partial progress of running tasks (their checkpoints), so that a
  // job of a few long tasks moves too.
  double fraction = std::max(job.progress(), c.total() == 0 ? 1.0 : double(done) / c.total());
  if (!job.split_done()) fraction = std::min(fraction, 0.99);  // the total is not known yet
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(fraction * kWidth);
  std::string bar = std::string(filled, '#') + std::string(kWidth - filled, '-');
  const double eta = rate > 0 ? (c.total() - done) / rate : NAN;
  std::string line = absl::StrFormat("%s [%s] %5.1f%%  %d/%d tasks  %.0f/s  ETA %s", job.job_id(),
                                     bar, fraction * 100, done, c.total(), rate,
                                     done == c.total() ? "0s" : FormatEta(eta));
  if (!job.split_done()) absl::StrAppend(&line, "  (still listing the source)");
  if (c.running() > 0) absl::StrAppend(&line, "  running ", c.running());
  if (c.failed() + c.dead() > 0) absl::StrAppend(&line, "  failed ", c.failed() + c.dead());
  return line;
}

void ProgressBar::Update(const v1::Job& job, absl::Time now) {
  std::string line = Render(job, now);
  if (terminal_) {
    out_ << "\r\033[K" << line << std::flush;
    drawn_ = true;
  } else if (now - last_printed_ >= absl::Seconds(5) || job.state() != v1::JOB_RUNNING) {
    out_ << line << "\n" << std::flush;
    last_printed_ = now;
  }
}

void ProgressBar::Note(const std::string& text) {
  if (terminal_) {
    out_ << "\r\033[K" << text << std::flush;
    drawn_ = true;
  } else {
    out_ << text << "\n" << std::flush;
  }
}

void ProgressBar::Finish() {
  if (terminal_ && drawn_) out_ << "\n" << std::flush;
  drawn_ = false;
}

}  // namespace fanout::cli
