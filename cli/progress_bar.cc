#include "cli/progress_bar.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/plural.h"
#include "common/proto_time.h"

namespace fanout::cli {

std::string RateText(double per_second) {
  return absl::StrFormat(per_second > 0 && per_second < 9.95 ? "%.1f" : "%.0f", per_second);
}

std::string Tasks(uint64_t n) { return Counted(n, "task"); }

uint64_t HandlersRunning(const v1::TaskCounts& c) {
  return c.has_handlers_running() ? std::min(c.handlers_running(), c.running()) : c.running();
}

std::string RunningText(const v1::TaskCounts& c) {
  if (c.running() == 0) return "";
  std::string text = absl::StrCat("  running ", HandlersRunning(c));
  // Queued at a worker to start next (or finished, being reported): leased, not running.
  const uint64_t ahead = c.running() - HandlersRunning(c);
  if (ahead > 0) absl::StrAppend(&text, " (+", ahead, " leased)");
  return text;
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
  // Work done is what finished: a cancelled task did nothing, so it is shown apart and counts
  // neither towards the percentage nor the rate.
  const uint64_t finished = FinishedTasks(c);
  samples_.emplace_back(now, finished);
  while (samples_.size() > 2 && now - samples_.front().first > absl::Seconds(10)) {
    samples_.pop_front();
  }
  double rate = 0;
  const absl::Duration span = now - samples_.front().first;
  const absl::Duration age = job.has_created_at() ? now - FromProto(job.created_at()) : span;
  if (span > absl::Seconds(1)) {
    rate = (finished - samples_.front().second) / absl::ToDoubleSeconds(span);
  } else if (job.has_finished_at() && job.has_created_at()) {
    // An ended job's own pace, however short it was.
    const absl::Duration took = FromProto(job.finished_at()) - FromProto(job.created_at());
    rate = finished / absl::ToDoubleSeconds(std::max(took, absl::Milliseconds(1)));
  } else if (age > absl::Milliseconds(10)) {
    rate = finished / absl::ToDoubleSeconds(age);  // from the first second: the job's own pace
  }
  // The job's progress counts partial progress of running tasks (their checkpoints), so that a
  // job of a few long tasks moves too; with cancelled tasks, only what finished.
  const double finished_share = c.total() == 0 ? 1.0 : double(finished) / c.total();
  double fraction = c.cancelled() > 0 ? finished_share : std::max(job.progress(), finished_share);
  if (!job.split_done()) fraction = std::min(fraction, 0.99);  // the total is not known yet
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(fraction * kWidth);
  std::string bar = std::string(filled, '#') + std::string(kWidth - filled, '-');
  const uint64_t left = c.total() - std::min<uint64_t>(c.total(), finished + c.cancelled());
  const double eta = rate > 0 ? left / rate : NAN;
  std::string line = absl::StrFormat("%s [%s] %5.1f%%  %d/%s  %s/s  ETA %s", job.job_id(), bar,
                                     fraction * 100, finished, Tasks(c.total()), RateText(rate),
                                     left == 0 ? "0s" : FormatEta(eta));
  if (!job.split_done()) absl::StrAppend(&line, "  (still listing the source)");
  absl::StrAppend(&line, RunningText(c));
  if (c.failed() + c.dead() > 0) absl::StrAppend(&line, "  failed ", c.failed() + c.dead());
  if (c.cancelled() > 0) absl::StrAppend(&line, "  cancelled ", c.cancelled());
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
