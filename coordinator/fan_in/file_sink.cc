// jsonl:PATH manifests: each file is written under a temporary name, synced, renamed and its
// directory synced, so a reader never sees half a manifest, a coordinator killed mid-write leaves
// the old one intact, and a power loss cannot undo a manifest the job says it has.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "coordinator/fan_in/manifest_sink.h"

namespace fanout::coordinator {
namespace {

constexpr size_t kFlushBytes = 1 << 20;

absl::Status Errno(absl::string_view what, const std::string& path) {
  return absl::UnavailableError(absl::StrCat("results: ", what, " ", path, ": ", strerror(errno)));
}

// A file written through a buffer under PATH.partial, renamed to PATH when committed.
class StagedFile {
 public:
  explicit StagedFile(std::string path) : path_(std::move(path)), staged_(path_ + ".partial") {}
  StagedFile(const StagedFile&) = delete;
  StagedFile& operator=(const StagedFile&) = delete;
  ~StagedFile() {
    if (fd_ >= 0) {
      ::close(fd_);
      ::unlink(staged_.c_str());
    }
  }

  absl::Status Open() {
    fd_ = ::open(staged_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    return fd_ < 0 ? Errno("cannot create", staged_) : absl::OkStatus();
  }

  absl::Status Append(absl::string_view data) {
    buffer_.append(data.data(), data.size());
    return buffer_.size() >= kFlushBytes ? Flush() : absl::OkStatus();
  }

  absl::Status Commit() {
    RETURN_IF_ERROR(Flush());
    if (::fsync(fd_) != 0) return Errno("cannot sync", staged_);
    ::close(fd_);
    fd_ = -1;
    if (::rename(staged_.c_str(), path_.c_str()) != 0) return Errno("cannot rename to", path_);
    return SyncDirectory();
  }

  const std::string& path() const { return path_; }

 private:
  // A rename is durable only once its directory is synced: without it a power loss can take the
  // manifest back (or away) after the job was recorded as having one.
  absl::Status SyncDirectory() {
    const std::string dir = std::filesystem::path(path_).parent_path().string();
    const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return Errno("cannot open the directory of", path_);
    const int synced = ::fsync(fd);
    ::close(fd);
    return synced == 0 ? absl::OkStatus() : Errno("cannot sync the directory of", path_);
  }

  absl::Status Flush() {
    const char* p = buffer_.data();
    size_t left = buffer_.size();
    while (left > 0) {
      const ssize_t n = ::write(fd_, p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Errno("cannot write", staged_);  // a full disk says so here
      p += n;
      left -= n;
    }
    buffer_.clear();
    return absl::OkStatus();
  }

  const std::string path_, staged_;
  int fd_ = -1;
  std::string buffer_;
};

class FileSink : public ManifestSink {
 public:
  explicit FileSink(const std::string& path)
      : stem_(absl::EndsWith(path, ".jsonl") ? path.substr(0, path.size() - 6) : path),
        streams_{StagedFile(path), StagedFile(stem_ + ".failed.jsonl")} {}

  absl::Status Open() {
    std::error_code error;
    std::filesystem::create_directories(std::filesystem::path(stem_).parent_path(), error);
    if (error) {
      return absl::UnavailableError(
          absl::StrCat("results: cannot create the directory of ", stem_, ": ", error.message()));
    }
    for (StagedFile& f : streams_) RETURN_IF_ERROR(f.Open());
    return absl::OkStatus();
  }

  absl::Status Write(Stream stream, absl::string_view line) override {
    StagedFile& f = streams_[stream];
    RETURN_IF_ERROR(f.Append(line));
    return f.Append("\n");
  }

  absl::StatusOr<Files> Close() override {
    for (StagedFile& f : streams_) RETURN_IF_ERROR(f.Commit());
    return Files{{streams_[kResults].path()}, {streams_[kFailed].path()}};
  }

  absl::StatusOr<std::string> WriteManifest(absl::string_view json) override {
    StagedFile manifest(stem_ + ".manifest.json");
    RETURN_IF_ERROR(manifest.Open());
    RETURN_IF_ERROR(manifest.Append(json));
    RETURN_IF_ERROR(manifest.Append("\n"));
    RETURN_IF_ERROR(manifest.Commit());
    return manifest.path();
  }

 private:
  const std::string stem_;
  StagedFile streams_[2];
};

}  // namespace

absl::StatusOr<std::unique_ptr<ManifestSink>> OpenFileSink(absl::string_view path) {
  auto sink = std::make_unique<FileSink>(std::string(path));
  RETURN_IF_ERROR(sink->Open());
  return sink;
}

}  // namespace fanout::coordinator
