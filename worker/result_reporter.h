// Sends task outcomes to the coordinator in batches: an outcome waits at most `linger` for company,
// a batch holds at most `max_batch`. A failed call is retried (same outcomes, same epochs; the
// coordinator commits each at most once) until it goes through or the reporter is stopped.
#ifndef FANOUT_WORKER_RESULT_REPORTER_H_
#define FANOUT_WORKER_RESULT_REPORTER_H_

#include <atomic>
#include <deque>
#include <functional>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
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
  // Called once per outcome when the coordinator answered for it.
  using OnAnswered = std::function<void(const v1::TaskRef& ref, v1::ReportStatus status)>;
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
  bool Send(std::vector<v1::TaskOutcome>& batch);

  v1::WorkerService::StubInterface& stub_;
  const Options options_;
  const DescribeWorker describe_;
  const OnAnswered on_answered_;
  std::atomic<uint64_t> reported_{0};
  std::atomic<size_t> unanswered_{0};

  absl::Mutex mu_;
  std::deque<v1::TaskOutcome> pending_ ABSL_GUARDED_BY(mu_);
  size_t in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace fanout::worker

#endif  // FANOUT_WORKER_RESULT_REPORTER_H_
