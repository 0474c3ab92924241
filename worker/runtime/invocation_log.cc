#include "worker/runtime/invocation_log.h"

#include <sys/stat.h>

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace fanout::worker {

InvocationLog::InvocationLog(const std::string& dir, const std::string& function) {
  if (dir.empty()) return;
  ::mkdir(dir.c_str(), 0755);
  path_ = absl::StrCat(dir, "/", absl::StrReplaceAll(function, {{":", "-"}, {"/", "_"}}), ".log");
  absl::MutexLock lock(&mu_);
  file_ = std::fopen(path_.c_str(), "ae");  // never inherited by a function's process
  if (file_ != nullptr) {
    struct stat st {};
    if (::fstat(fileno(file_), &st) == 0) file_bytes_ = static_cast<size_t>(st.st_size);
  }
}

InvocationLog::~InvocationLog() {
  absl::MutexLock lock(&mu_);
  if (file_ != nullptr) std::fclose(file_);
}

void InvocationLog::Write(absl::string_view bytes) {
  if (file_ == nullptr) return;
  if (file_bytes_ + bytes.size() > kRotateBytes) {
    std::fclose(file_);
    std::rename(path_.c_str(), (path_ + ".1").c_str());  // the one previous file kept
    file_ = std::fopen(path_.c_str(), "we");
    file_bytes_ = 0;
    if (file_ == nullptr) return;
  }
  std::fwrite(bytes.data(), 1, bytes.size(), file_);
  std::fflush(file_);
  file_bytes_ += bytes.size();
}

void InvocationLog::Append(absl::string_view bytes) {
  absl::MutexLock lock(&mu_);
  Write(bytes);
  if (bytes.size() >= kTailBytes) {
    tail_ = std::string(bytes.substr(bytes.size() - kTailBytes));
    return;
  }
  tail_.append(bytes.data(), bytes.size());
  if (tail_.size() > 2 * kTailBytes) tail_.erase(0, tail_.size() - kTailBytes);
}

void InvocationLog::Begin(absl::string_view request_id) {
  absl::MutexLock lock(&mu_);
  tail_.clear();
  Write(absl::StrCat("START RequestId: ", request_id, "\n"));
}

std::string InvocationLog::End(absl::string_view request_id, absl::Duration duration) {
  absl::MutexLock lock(&mu_);
  Write(absl::StrCat("END RequestId: ", request_id, "\nREPORT RequestId: ", request_id,
                     "\tDuration: ", absl::ToDoubleMilliseconds(duration), " ms\n"));
  std::string out = tail_.size() > kTailBytes ? tail_.substr(tail_.size() - kTailBytes) : tail_;
  tail_.clear();
  return out;
}

}  // namespace fanout::worker
