#include "coordinator/power_loss_file_system.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"

namespace fanout::coordinator {

// Each write is accounted under the file system's lock together with the write itself, so that a
// power cut falls between two writes, never inside one.
class PowerLossFileSystem::File : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  File(std::unique_ptr<rocksdb::FSWritableFile> target, PowerLossFileSystem* fs, std::string name)
      : rocksdb::FSWritableFileOwnerWrapper(std::move(target)), fs_(fs), name_(std::move(name)) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
    absl::MutexLock lock(&fs_->mu_);
    if (fs_->off_) return fs_->Refused();
    rocksdb::IOStatus s = target()->Append(data, options, dbg);
    if (s.ok()) fs_->Appended(name_, data.size());
    return s;
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo& /*info*/,
                           rocksdb::IODebugContext* dbg) override {
    return Append(data, options, dbg);
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     rocksdb::IODebugContext* dbg) override {
    absl::MutexLock lock(&fs_->mu_);
    if (fs_->off_) return fs_->Refused();
    rocksdb::IOStatus s = target()->PositionedAppend(data, offset, options, dbg);
    FileState& f = fs_->files_[name_];
    if (s.ok()) f.size = std::max(f.size, offset + data.size());
    return s;
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     const rocksdb::DataVerificationInfo& /*info*/,
                                     rocksdb::IODebugContext* dbg) override {
    return PositionedAppend(data, offset, options, dbg);
  }
  rocksdb::IOStatus Truncate(uint64_t size, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override {
    absl::MutexLock lock(&fs_->mu_);
    if (fs_->off_) return fs_->Refused();
    rocksdb::IOStatus s = target()->Truncate(size, options, dbg);
    FileState& f = fs_->files_[name_];
    if (s.ok()) f.synced = std::min(f.synced, f.size = size);
    return s;
  }
  rocksdb::IOStatus Flush(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* dbg) override {
    absl::MutexLock lock(&fs_->mu_);
    if (fs_->off_) return fs_->Refused();
    return target()->Flush(options, dbg);
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
    absl::MutexLock lock(&fs_->mu_);
    if (fs_->off_) return fs_->Refused();
    rocksdb::IOStatus s = target()->Sync(options, dbg);
    if (s.ok()) fs_->Synced(name_);
    return s;
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* dbg) override {
    absl::MutexLock lock(&fs_->mu_);
    if (fs_->off_) return fs_->Refused();
    rocksdb::IOStatus s = target()->Fsync(options, dbg);
    if (s.ok()) fs_->Synced(name_);
    return s;
  }
  // sync_file_range promises nothing about durability: RangeSync does not count as a sync.
  rocksdb::IOStatus RangeSync(uint64_t offset, uint64_t nbytes, const rocksdb::IOOptions& options,
                              rocksdb::IODebugContext* dbg) override {
    absl::MutexLock lock(&fs_->mu_);
    if (fs_->off_) return fs_->Refused();
    return target()->RangeSync(offset, nbytes, options, dbg);
  }

 private:
  PowerLossFileSystem* const fs_;
  const std::string name_;
};

class PowerLossFileSystem::Directory : public rocksdb::FSDirectoryWrapper {
 public:
  Directory(std::unique_ptr<rocksdb::FSDirectory> target, PowerLossFileSystem* fs, std::string name)
      : rocksdb::FSDirectoryWrapper(std::move(target)), fs_(fs), name_(std::move(name)) {}

  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = FSDirectoryWrapper::Fsync(options, dbg);
    if (s.ok()) fs_->DirectorySynced(name_);
    return s;
  }
  rocksdb::IOStatus FsyncWithDirOptions(const rocksdb::IOOptions& options,
                                        rocksdb::IODebugContext* dbg,
                                        const rocksdb::DirFsyncOptions& dir_options) override {
    rocksdb::IOStatus s = FSDirectoryWrapper::FsyncWithDirOptions(options, dbg, dir_options);
    if (s.ok()) fs_->DirectorySynced(name_);
    return s;
  }

 private:
  PowerLossFileSystem* const fs_;
  const std::string name_;
};

std::string PowerLossFileSystem::Normalize(const std::string& name) {
  std::string out = std::filesystem::path(name).lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

std::string PowerLossFileSystem::DirOf(const std::string& name) {
  return Normalize(std::filesystem::path(name).parent_path().string());
}

void PowerLossFileSystem::Appended(const std::string& name, uint64_t bytes) {
  files_[name].size += bytes;
}

void PowerLossFileSystem::Synced(const std::string& name) {
  FileState& f = files_[name];
  f.synced = f.size;
}

void PowerLossFileSystem::DirectorySynced(const std::string& dir) {
  absl::MutexLock lock(&mu_);
  if (!off_) unsynced_names_.erase(Normalize(dir));
}

void PowerLossFileSystem::Created(const std::string& name, uint64_t durable_size) {
  files_[name] = FileState{durable_size, durable_size};
  if (durable_size == 0) unsynced_names_[DirOf(name)].insert(name);
}

rocksdb::IOStatus PowerLossFileSystem::NewWritableFile(
    const std::string& name, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result, rocksdb::IODebugContext* dbg) {
  absl::MutexLock lock(&mu_);
  if (off_) return Refused();
  rocksdb::IOStatus s = target()->NewWritableFile(name, options, result, dbg);
  if (!s.ok()) return s;
  const std::string normal = Normalize(name);
  Created(normal, 0);
  *result = std::make_unique<File>(std::move(*result), this, normal);
  return s;
}

rocksdb::IOStatus PowerLossFileSystem::ReopenWritableFile(
    const std::string& name, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result, rocksdb::IODebugContext* dbg) {
  absl::MutexLock lock(&mu_);
  if (off_) return Refused();
  uint64_t size = 0;
  const bool existed = target()->GetFileSize(name, rocksdb::IOOptions(), &size, dbg).ok();
  rocksdb::IOStatus s = target()->ReopenWritableFile(name, options, result, dbg);
  if (!s.ok()) return s;
  const std::string normal = Normalize(name);
  // What was there before this process touched it counts as durable.
  if (existed) {
    files_.try_emplace(normal, FileState{size, size});
  } else {
    Created(normal, 0);
  }
  *result = std::make_unique<File>(std::move(*result), this, normal);
  return s;
}

rocksdb::IOStatus PowerLossFileSystem::ReuseWritableFile(
    const std::string& name, const std::string& old_name, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result, rocksdb::IODebugContext* dbg) {
  absl::MutexLock lock(&mu_);
  if (off_) return Refused();
  rocksdb::IOStatus s = target()->ReuseWritableFile(name, old_name, options, result, dbg);
  if (!s.ok()) return s;
  files_.erase(Normalize(old_name));
  const std::string normal = Normalize(name);
  Created(normal, 0);
  *result = std::make_unique<File>(std::move(*result), this, normal);
  return s;
}

rocksdb::IOStatus PowerLossFileSystem::NewDirectory(const std::string& name,
                                                    const rocksdb::IOOptions& options,
                                                    std::unique_ptr<rocksdb::FSDirectory>* result,
                                                    rocksdb::IODebugContext* dbg) {
  rocksdb::IOStatus s = target()->NewDirectory(name, options, result, dbg);
  if (s.ok()) *result = std::make_unique<Directory>(std::move(*result), this, Normalize(name));
  return s;
}

// A rename is taken as durable at once (a simplification: RocksDB syncs the directory right after
// each of its renames anyway); the file keeps its own synced length under its new name.
rocksdb::IOStatus PowerLossFileSystem::RenameFile(const std::string& from, const std::string& to,
                                                  const rocksdb::IOOptions& options,
                                                  rocksdb::IODebugContext* dbg) {
  absl::MutexLock lock(&mu_);
  if (off_) return Refused();
  rocksdb::IOStatus s = target()->RenameFile(from, to, options, dbg);
  if (!s.ok()) return s;
  const std::string a = Normalize(from), b = Normalize(to);
  if (auto it = files_.find(a); it != files_.end()) {
    files_[b] = it->second;
    files_.erase(it);
  }
  if (unsynced_names_[DirOf(a)].erase(a) > 0) unsynced_names_[DirOf(b)].insert(b);
  return s;
}

rocksdb::IOStatus PowerLossFileSystem::DeleteFile(const std::string& name,
                                                  const rocksdb::IOOptions& options,
                                                  rocksdb::IODebugContext* dbg) {
  absl::MutexLock lock(&mu_);
  if (off_) return Refused();
  rocksdb::IOStatus s = target()->DeleteFile(name, options, dbg);
  const std::string normal = Normalize(name);
  files_.erase(normal);
  unsynced_names_[DirOf(normal)].erase(normal);
  return s;
}

// After the cut nothing reaches the disk, and no caller may believe otherwise: a write that
// reported success would be acknowledged by a process that, in truth, is already dead.
rocksdb::IOStatus PowerLossFileSystem::Refused() const {
  return rocksdb::IOStatus::IOError(why_off_);
}

void PowerLossFileSystem::FailFromNowOn() {
  absl::MutexLock lock(&mu_);
  off_ = true;
  why_off_ = "injected: no space left on device";
}

uint64_t PowerLossFileSystem::unsynced_bytes() {
  absl::MutexLock lock(&mu_);
  uint64_t total = 0;
  for (const auto& [name, f] : files_) total += f.size - std::min(f.size, f.synced);
  return total;
}

absl::Status PowerLossFileSystem::PowerCut() {
  absl::MutexLock lock(&mu_);
  off_ = true;
  why_off_ = "the power is off";
  for (const auto& [dir, names] : unsynced_names_) {
    for (const std::string& name : names) {
      if (::unlink(name.c_str()) != 0 && errno != ENOENT) {
        return absl::InternalError(absl::StrCat("power cut: unlink ", name, ": ", strerror(errno)));
      }
      files_.erase(name);
    }
  }
  for (const auto& [name, f] : files_) {
    if (f.size <= f.synced) continue;
    if (::truncate(name.c_str(), static_cast<off_t>(f.synced)) != 0 && errno != ENOENT) {
      return absl::InternalError(absl::StrCat("power cut: truncate ", name, ": ", strerror(errno)));
    }
  }
  files_.clear();
  unsynced_names_.clear();
  return absl::OkStatus();
}

}  // namespace fanout::coordinator
