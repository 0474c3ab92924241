#include "cli/interrupt.h"

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

namespace fanout::cli {
namespace {

absl::Mutex& NoticeMu() {
  static absl::Mutex* const mu = new absl::Mutex;
  return *mu;
}

std::string& Notice() ABSL_EXCLUSIVE_LOCKS_REQUIRED(NoticeMu()) {
  static std::string* const notice = new std::string;
  return *notice;
}

void WaitForInterrupt(sigset_t set) {
  int signal = 0;
  while (sigwait(&set, &signal) != 0) {
  }
  std::string notice;
  {
    absl::MutexLock lock(&NoticeMu());
    notice = Notice();
  }
  std::fflush(stdout);
  // After the progress bar's line (it ends without one), so the shell prompt starts clean.
  std::cerr << "\n" << (notice.empty() ? "" : notice + "\n") << std::flush;
  _exit(signal == SIGINT ? 130 : 128 + signal);
}

}  // namespace

void HandleInterrupts() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread(WaitForInterrupt, set).detach();
}

void SetInterruptNotice(const std::string& notice) {
  absl::MutexLock lock(&NoticeMu());
  Notice() = notice;
}

std::string StillRunningNotice(const std::string& job_id) {
  return absl::StrCat(job_id, " is still running: fanout watch ", job_id,
                      " (follow it again) or fanout cancel ", job_id);
}

}  // namespace fanout::cli
