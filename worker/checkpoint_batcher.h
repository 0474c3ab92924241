// Commits checkpoints for every slot of a worker: calls from all handlers that arrive within a
// millisecond share one Checkpoint RPC (and on the coordinator one disk sync). A caller blocks
// until its checkpoint is durable or refused; while the coordinator is unreachable it retries until
// the caller's deadline. A call holds at most `max_batch` checkpoints and kBatchBytes bytes; one
// the coordinator refuses for what it carries is not retried as it is (a batch is halved, a lone
// checkpoint fails with the refusal).
#ifndef FANOUT_WORKER_CHECKPOINT_BATCHER_H_
#define FANOUT_WORKER_CHECKPOINT_BATCHER_H_

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/limits.h"
#include "proto/worker_service.grpc.pb.h"

namespace fanout::worker {

// Thread-safe. Owned by Worker.
class CheckpointBatcher {
 public:
  struct Options {
    size_t max_batch = 256;
    absl::Duration rpc_timeout = absl::Seconds(5);
  };
  using DescribeWorker = std::function<void(v1::WorkerInfo*)>;
  // Told of each checkpoint the coordinator answered (committed or refused).
  using OnAnswered = std::function<void(const v1::CheckpointEntry&, v1::LeaseStatus)>;

  CheckpointBatcher(v1::WorkerService::StubInterface& stub, Options options,
                    DescribeWorker describe, OnAnswered on_answered = nullptr);
  ~CheckpointBatcher();

  // LEASE_OK once durable; LEASE_LOST or LEASE_CANCELLED when refused; kUnavailable when the
  // coordinator could not be reached before `deadline`; LEASE_LOST at once when `fenced` (the
  // lease's cancel flag) flips while it waits.
  absl::StatusOr<v1::LeaseStatus> Commit(const v1::TaskRef& ref, absl::string_view cursor,
                                         double progress, absl::Time deadline,
                                         const std::atomic<bool>* fenced = nullptr);
  uint64_t committed() const { return committed_.load(); }

 private:
  struct Pending {
    v1::CheckpointEntry entry;
    absl::Time deadline;
    bool done = false;
    absl::StatusOr<v1::LeaseStatus> result = absl::UnknownError("not sent");
  };
  void Run();
  // Sends one batch; answers its entries unless the call failed (returned).
  grpc::Status Send(std::vector<std::shared_ptr<Pending>>& batch);
  std::vector<std::shared_ptr<Pending>> Take() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // After a failed call: entries whose deadline passed (or, refused alone for what they carry,
  // every entry) are answered with the failure; the rest go back in front.
  void Failed(std::vector<std::shared_ptr<Pending>>& batch, const grpc::Status& status)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  v1::WorkerService::StubInterface& stub_;
  const Options options_;
  const DescribeWorker describe_;
  const OnAnswered on_answered_;
  std::atomic<uint64_t> committed_{0};

  absl::Mutex mu_;
  std::deque<std::shared_ptr<Pending>> queue_ ABSL_GUARDED_BY(mu_);
  size_t limit_ ABSL_GUARDED_BY(mu_);  // entries per call: halved by refusals, regrown by success
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace fanout::worker

#endif  // FANOUT_WORKER_CHECKPOINT_BATCHER_H_
