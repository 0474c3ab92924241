// What a runtime prints, attributed to the invocation running at the time: the last 4 KiB of each
// invocation travel with its outcome; everything goes to a per-function file under --log_dir,
// rotated at 8 MiB with one previous file kept (bounded), in the START/END/REPORT lines Lambda
// writes to CloudWatch.
#ifndef FANOUT_WORKER_RUNTIME_INVOCATION_LOG_H_
#define FANOUT_WORKER_RUNTIME_INVOCATION_LOG_H_

#include <cstdio>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace fanout::worker {

// Thread-safe: output arrives on the runtime's reader thread, invocations begin and end on a slot.
class InvocationLog {
 public:
  static constexpr size_t kTailBytes = 4096;
  static constexpr size_t kRotateBytes = 8 << 20;

  // `dir` empty: nothing is written to disk. `function` names the file (NAME:VERSION).
  InvocationLog(const std::string& dir, const std::string& function);
  ~InvocationLog();
  InvocationLog(const InvocationLog&) = delete;
  InvocationLog& operator=(const InvocationLog&) = delete;

  void Append(absl::string_view bytes);
  void Begin(absl::string_view request_id);
  // The invocation's tail; writes END and REPORT lines.
  std::string End(absl::string_view request_id, absl::Duration duration);

 private:
  void Write(absl::string_view bytes) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  std::string path_;
  absl::Mutex mu_;
  std::FILE* file_ ABSL_GUARDED_BY(mu_) = nullptr;
  size_t file_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  std::string tail_ ABSL_GUARDED_BY(mu_);
};

}  // namespace fanout::worker

#endif  // FANOUT_WORKER_RUNTIME_INVOCATION_LOG_H_
