// Directory watch (inotify) for local use: every regular file written and closed, or moved in,
// under a rule's directory (subdirectories included, also ones made later) becomes a job of one
// item {"path", "size"} — the items the dir: source makes — keyed by path, size and modification
// time, so that the same file seen twice (a rescan, a restarted trigger) is one job while a
// rewritten file is a new one. With "scan_existing", the files already there at start are
// submitted too (picking up what arrived while no trigger watched).
#ifndef FANOUT_TRIGGER_DIR_WATCHER_H_
#define FANOUT_TRIGGER_DIR_WATCHER_H_

#include <atomic>
#include <deque>
#include <map>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "trigger/config.h"
#include "trigger/job_submitter.h"

namespace fanout::trigger {

class DirWatcher {
 public:
  DirWatcher(Rule rule, JobSubmitter& submitter) : rule_(std::move(rule)), submitter_(submitter) {}
  ~DirWatcher();  // stops the thread

  // Sets up the watches (an error names the directory) and starts the thread.
  absl::Status Start();
  uint64_t submitted() const { return submitted_; }

  // The job of one file: its item and key; NOT_FOUND if it is gone or not a regular file.
  static absl::StatusOr<v1::JobSpec> FileJob(const Rule& rule, const std::string& path);

 private:
  // Watches this directory and those below it, submitting their files if `submit_files`.
  absl::Status Watch(const std::string& dir, bool submit_files);
  void Loop();
  void Rescan(const std::string& dir);  // submits every file below
  // A file found by a scan: submitted now, or once it has settled.
  void SubmitSettled(const std::string& path);
  void RecheckDue();
  void Submit(const std::string& path);

  const Rule rule_;
  JobSubmitter& submitter_;
  int inotify_ = -1;
  int stop_pipe_[2] = {-1, -1};
  std::map<int, std::string> dirs_;  // watch descriptor -> directory
  // Files found by a scan (at start, of a new directory, after an overflow) that were modified just
  // now, so possibly still being written: looked at again once they have been still for kSettle (a
  // file closed meanwhile is the same job as its IN_CLOSE_WRITE made). Only the watcher's thread
  // touches it.
  std::deque<std::pair<absl::Time, std::string>> recheck_;
  std::atomic<uint64_t> submitted_{0};
  std::thread thread_;
};

}  // namespace fanout::trigger

#endif  // FANOUT_TRIGGER_DIR_WATCHER_H_
