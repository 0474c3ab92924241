// Sends task outcomes to the coordinator in batches: an outcome waits at most `linger` for company,
// a batch holds at most `max_batch` outcomes and kBatchBytes bytes. A call that fails in passing
// (the coordinator away) is retried — same outcomes, same epochs; the coordinator commits each at
// most once — until it goes through or the reporter is stopped. A call refused for what it carries
// (too big, unparsable) is not retried as it is: the batch is halved, and an outcome refused on its
// own is replaced by a failure that says why, so that no task waits forever.
#ifndef FANOUT_WORKER_RESULT_REPORTER_H_
#define FANOUT_WORKER_RESULT_REPORTER_H_

#include <atomic>
#include <deque>
#include <functional>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/limits.h"
#include "proto/worker_service.grpc.pb.h"

namespace fanout::worker {

// Thread-safe. Owned by Worker.
class ResultReporter {
 public:
  struct Options {
    absl::Duration linger = absl::Milliseconds(2);
    size_t max_batch = 512;
    absl::Duration rpc_timeout = absl::Seconds(10);
  };
  // Called once per outcome when the coordinator answered for it (UNSPECIFIED: given up on).
  using OnAnswered = std::function<void(const v1::TaskOutcome& outcome, v1::ReportStatus status)>;
  // Fills the worker's description into each request.
  using DescribeWorker = std::function<void(v1::WorkerInfo*)>;

  ResultReporter(v1::WorkerService::StubInterface& stub, Options options, DescribeWorker describe,
                 OnAnswered on_answered);
  ~ResultReporter();

  void Add(v1::TaskOutcome outcome);
  // Waits until every added outcome was answered, or `timeout` passed. Returns whether all were.
  bool Drain(absl::Duration timeout);
  uint64_t reported() const { return reported_.load(); }
  // Outcomes added and not yet answered (queued, in flight or being retried).
  size_t unanswered() const { return unanswered_.load(); }

 private:
  void Run();
  // Takes the next batch from pending_ (at most `limit` outcomes, within kBatchBytes).
  std::vector<v1::TaskOutcome> Take(size_t limit) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // OK, or the call's status; the outcomes stay in `batch` when it failed.
  grpc::Status Send(std::vector<v1::TaskOutcome>& batch);
  // After a refusal for what the batch carries: the batch back in front, halved, with its one
  // outcome turned into a failure (or, refused again, dropped) when it was alone. Returns false,
  // leaving `batch` as it is, when that outcome is to be sent again as it is after a backoff.
  bool Refused(std::vector<v1::TaskOutcome>& batch, const grpc::Status& status)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  v1::WorkerService::StubInterface& stub_;
  const Options options_;
  const DescribeWorker describe_;
  const OnAnswered on_answered_;
  std::atomic<uint64_t> reported_{0};
  std::atomic<size_t> unanswered_{0};

  absl::Mutex mu_;
  std::deque<v1::TaskOutcome> pending_ ABSL_GUARDED_BY(mu_);
  size_t in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  size_t last_batch_ ABSL_GUARDED_BY(mu_) = 0;  // outcomes in the last call sent
  size_t limit_ ABSL_GUARDED_BY(mu_);  // outcomes per call: halved by refusals, regrown by success
  // Refusals of an outcome sent alone, by its serialized ref.
  absl::flat_hash_map<std::string, int> refusals_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace fanout::worker

#endif  // FANOUT_WORKER_RESULT_REPORTER_H_
