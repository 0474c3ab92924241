#include "trigger/dir_watcher.h"

#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/json_text.h"
#include "common/status_macros.h"
#include "common/utf8.h"
#include "glog/logging.h"
#include "nlohmann/json.hpp"

namespace fanout::trigger {
namespace {

constexpr uint32_t kFileEvents = IN_CLOSE_WRITE | IN_MOVED_TO;
constexpr uint32_t kDirEvents = IN_CREATE | IN_MOVED_TO | IN_ONLYDIR;
// A file found in a new directory and modified less than this ago may still be being written.
constexpr absl::Duration kSettle = absl::Seconds(1);

}  // namespace

DirWatcher::~DirWatcher() {
  if (thread_.joinable()) {
    const char byte = 0;
    (void)!write(stop_pipe_[1], &byte, 1);
    thread_.join();
  }
  for (int fd : {inotify_, stop_pipe_[0], stop_pipe_[1]}) {
    if (fd >= 0) close(fd);
  }
}

absl::StatusOr<v1::JobSpec> DirWatcher::FileJob(const Rule& rule, const std::string& path) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return absl::NotFoundError(absl::StrCat(path, ": not a regular file (any more)"));
  }
  // A name that is not UTF-8 cannot be an item's text (a replaced name would name another file).
  RETURN_IF_ERROR(CheckUtf8(path, "file name"));
  const int64_t mtime_ns = int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec;
  nlohmann::json item = {{"path", path}, {"size", static_cast<uint64_t>(st.st_size)}};
  return EventJob(rule.job, rule.name, DumpJson(item),
                  absl::StrCat("dir/", rule.name, "/", path, "/", st.st_size, "/", mtime_ns));
}

absl::Status DirWatcher::Watch(const std::string& dir, bool submit_files) {
  const int wd = inotify_add_watch(inotify_, dir.c_str(), kFileEvents | kDirEvents);
  if (wd < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("source.path: cannot watch ", dir, ": ", std::strerror(errno)));
  }
  dirs_[wd] = dir;
  std::error_code error;
  for (std::filesystem::directory_iterator it(dir, error), end; !error && it != end;
       it.increment(error)) {
    if (it->is_directory(error) && !it->is_symlink(error)) {
      if (absl::Status s = Watch(it->path().string(), submit_files); !s.ok()) LOG(WARNING) << s;
    } else if (submit_files && it->is_regular_file(error)) {
      SubmitSettled(it->path().string());
    }
  }
  return absl::OkStatus();
}

absl::Status DirWatcher::Start() {
  inotify_ = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (inotify_ < 0 || pipe(stop_pipe_) != 0) {
    return absl::InternalError(absl::StrCat("inotify: ", std::strerror(errno)));
  }
  // Watches first, files second (on the watcher's thread: submitting may wait for the
  // coordinator): a file written meanwhile is seen twice at worst, which is one job.
  if (absl::Status s = Watch(rule_.directory.path, false); !s.ok()) return s;
  thread_ = std::thread([this] {
    if (rule_.directory.scan_existing) Rescan(rule_.directory.path);
    Loop();
  });
  return absl::OkStatus();
}

void DirWatcher::Submit(const std::string& path) {
  if (!absl::EndsWith(path, rule_.filter.suffix)) return;
  absl::StatusOr<v1::JobSpec> job = FileJob(rule_, path);
  if (!job.ok()) {
    LOG_IF(WARNING, job.status().code() != absl::StatusCode::kNotFound)  // else: gone already
        << "watch " << rule_.name << ": " << Printable(path) << " skipped: " << job.status();
    return;
  }
  for (absl::Duration wait = absl::Milliseconds(100);;
       wait = std::min(wait * 2, absl::Seconds(5))) {
    absl::StatusOr<Submitted> submitted = submitter_.Submit(*job);
    if (submitted.ok()) {
      submitted_ += submitted->created;
      return;
    }
    if (submitted.status().code() != absl::StatusCode::kUnavailable) {
      LOG(ERROR) << "watch " << rule_.name << ": " << path << ": " << submitted.status();
      return;
    }
    // Nothing else would bring this file back: keep trying until the coordinator takes it.
    LOG_EVERY_N(WARNING, 10) << "watch " << rule_.name << ": " << submitted.status();
    pollfd stop = {stop_pipe_[0], POLLIN, 0};
    if (poll(&stop, 1, static_cast<int>(absl::ToInt64Milliseconds(wait))) > 0) return;
  }
}

void DirWatcher::SubmitSettled(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return;
  const absl::Time modified = absl::TimeFromTimespec(st.st_mtim);
  if (absl::Now() - modified >= kSettle) {
    Submit(path);
  } else {
    recheck_.emplace_back(modified + kSettle, path);
  }
}

void DirWatcher::RecheckDue() {
  while (!recheck_.empty() && recheck_.front().first <= absl::Now()) {
    Submit(recheck_.front().second);
    recheck_.pop_front();
  }
}

void DirWatcher::Rescan(const std::string& dir) {
  std::error_code error;
  for (std::filesystem::recursive_directory_iterator it(dir, error), end; !error && it != end;
       it.increment(error)) {
    if (it->is_regular_file(error)) SubmitSettled(it->path().string());
  }
}

void DirWatcher::Loop() {
  alignas(inotify_event) char buffer[64 * 1024];
  pollfd fds[2] = {{inotify_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
  while (true) {
    const int timeout =
        recheck_.empty()
            ? -1
            : static_cast<int>(std::max<int64_t>(
                  0, absl::ToInt64Milliseconds(recheck_.front().first - absl::Now()) + 1));
    fds[0].revents = fds[1].revents = 0;
    if (poll(fds, 2, timeout) < 0 && errno != EINTR) break;
    if (fds[1].revents != 0) return;
    RecheckDue();
    if ((fds[0].revents & POLLIN) == 0) continue;
    const ssize_t n = read(inotify_, buffer, sizeof(buffer));
    for (ssize_t at = 0; at < n;) {
      const auto* event = reinterpret_cast<const inotify_event*>(buffer + at);
      at += sizeof(inotify_event) + event->len;
      if (event->mask & IN_Q_OVERFLOW) {
        // Events were dropped: look at every file again (those already taken are one job).
        LOG(WARNING) << "watch " << rule_.name << ": inotify queue overflowed; rescanning";
        Rescan(rule_.directory.path);
        continue;
      }
      auto dir = dirs_.find(event->wd);
      if (dir == dirs_.end() || event->len == 0) continue;
      const std::string path = absl::StrCat(dir->second, "/", event->name);
      if (event->mask & IN_ISDIR) {
        // A new directory: watch it, and take what was written into it before the watch.
        if (event->mask & (IN_CREATE | IN_MOVED_TO)) {
          if (absl::Status s = Watch(path, true); !s.ok()) LOG(WARNING) << s;
        }
      } else if (event->mask & kFileEvents) {
        Submit(path);
      }
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR) {
      LOG(ERROR) << "watch " << rule_.name << ": inotify: " << std::strerror(errno);
      return;
    }
  }
}

}  // namespace fanout::trigger
