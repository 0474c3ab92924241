// A RocksDB FileSystem that can lose power: it passes every write through to the real disk and
// remembers, per file, how many bytes a sync made durable and, per directory, which names an fsync
// of the directory made durable. PowerCut() then does to the files what a power failure does to
// them — everything not synced is gone — as RocksDB's own FaultInjectionTestFS does. Used by the
// power-loss tests (coordinator:power_loss_test) and by `fanout-coordinator --testing_power_cut`,
// which the chaos test cuts instead of killing.
#ifndef FANOUT_COORDINATOR_POWER_LOSS_FILE_SYSTEM_H_
#define FANOUT_COORDINATOR_POWER_LOSS_FILE_SYSTEM_H_

#include <map>
#include <memory>
#include <set>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "rocksdb/file_system.h"

namespace fanout::coordinator {

// Thread-safe. Shared by its user and the RocksDB Env made from it (rocksdb::NewCompositeEnv).
class PowerLossFileSystem : public rocksdb::FileSystemWrapper {
 public:
  explicit PowerLossFileSystem(std::shared_ptr<rocksdb::FileSystem> target)
      : rocksdb::FileSystemWrapper(std::move(target)) {}
  static const char* kClassName() { return "PowerLossFileSystem"; }
  const char* Name() const override { return kClassName(); }

  // The power goes: from now on every write, sync and file operation fails (nothing reaches the
  // disk, and nobody may acknowledge what a dead process could not), and files are cut back to
  // what was synced — bytes past a file's last sync are gone, and so are files whose name no
  // directory sync made durable. Call it while RocksDB is open (then destroy the DB) or after.
  absl::Status PowerCut();
  // The disk fails from now on (every write, sync and file operation, as a full disk would),
  // without losing anything already written.
  void FailFromNowOn();
  // Bytes written but not yet synced, over all files: what a power cut now would lose.
  uint64_t unsynced_bytes();

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReopenWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* result,
                                       rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReuseWritableFile(const std::string& name, const std::string& old_name,
                                      const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSWritableFile>* result,
                                      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewDirectory(const std::string& name, const rocksdb::IOOptions& options,
                                 std::unique_ptr<rocksdb::FSDirectory>* result,
                                 rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus RenameFile(const std::string& from, const std::string& to,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteFile(const std::string& name, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;

 private:
  class File;
  class Directory;
  struct FileState {
    uint64_t size = 0;    // bytes written
    uint64_t synced = 0;  // bytes a sync made durable
  };

  void Appended(const std::string& name, uint64_t bytes) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Synced(const std::string& name) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void DirectorySynced(const std::string& dir) ABSL_LOCKS_EXCLUDED(mu_);
  rocksdb::IOStatus Refused() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Created(const std::string& name, uint64_t durable_size) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  static std::string Normalize(const std::string& name);
  static std::string DirOf(const std::string& name);

  absl::Mutex mu_;
  // Guarded by mu_.
  bool off_ ABSL_GUARDED_BY(mu_) = false;  // cut, or failing: nothing reaches the disk
  std::string why_off_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, FileState> files_ ABSL_GUARDED_BY(mu_);
  // Names created or renamed into a directory since that directory's last sync.
  std::map<std::string, std::set<std::string>> unsynced_names_ ABSL_GUARDED_BY(mu_);
};

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_POWER_LOSS_FILE_SYSTEM_H_
