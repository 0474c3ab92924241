// Group commit for RocksDB: writers append to one open WriteBatch (in the order their transitions
// happened) and wait; a single thread writes the gathered batch with one WAL sync, while the next
// batch fills up behind it. Many transitions, one fsync.
#ifndef FANOUT_COORDINATOR_GROUP_COMMITTER_H_
#define FANOUT_COORDINATOR_GROUP_COMMITTER_H_

#include <cstdint>
#include <functional>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

namespace fanout::coordinator {

// Thread-safe. Owned by RocksDbJobStore; `db` must outlive it.
class GroupCommitter {
 public:
  struct Stats {
    uint64_t syncs = 0;         // disk writes (one WAL sync each when sync is on)
    uint64_t batches = 0;       // appended batches they carried
    uint64_t bytes = 0;         // size of what was written
    absl::Duration write_time;  // total time spent in DB::Write
  };

  // Told after each disk write: how many appended batches it carried and how long it took.
  using Observer = std::function<void(uint64_t batches, absl::Duration took)>;

  GroupCommitter(rocksdb::DB* db, bool sync, Observer observer = nullptr);
  // Writes what is still open, then stops.
  ~GroupCommitter();

  // Adds `fill`'s writes to the open batch; returns the ticket to Await. Appends are written in the
  // order they were made.
  uint64_t Append(absl::FunctionRef<void(rocksdb::WriteBatch*)> fill);
  // Blocks until the ticket's batch is on disk. A failed write fails it and every later ticket.
  absl::Status Await(uint64_t ticket);
  // Every ticket up to the one returned is written (or failed); does not block.
  uint64_t durable();
  Stats stats();

 private:
  void Run();
  bool HasWorkOrStop() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stop_ || appended_ > taken_;
  }

  // Constant after construction.
  rocksdb::DB* const db_;
  const bool sync_;
  const Observer observer_;

  absl::Mutex mu_;
  // Guarded by mu_.
  rocksdb::WriteBatch open_ ABSL_GUARDED_BY(mu_);
  // The batch being written, owned by the committer thread. Kept and cleared, not freed, so that
  // its buffer is reused: freeing megabytes per sync made malloc consolidate on the hot path.
  rocksdb::WriteBatch writing_;
  uint64_t appended_ ABSL_GUARDED_BY(mu_) = 0;  // last ticket handed out
  uint64_t taken_ ABSL_GUARDED_BY(mu_) = 0;     // last ticket handed to a write
  uint64_t durable_ ABSL_GUARDED_BY(mu_) = 0;   // every ticket up to here is written (or failed)
  absl::Status error_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  Stats stats_ ABSL_GUARDED_BY(mu_);

  std::thread thread_;
};

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_GROUP_COMMITTER_H_
