#include "worker/result_reporter.h"

#include <algorithm>

#include "common/grpc_status.h"
#include "glog/logging.h"

namespace fanout::worker {

ResultReporter::ResultReporter(v1::WorkerService::StubInterface& stub, Options options,
                               DescribeWorker describe, OnAnswered on_answered)
    : stub_(stub),
      options_(options),
      describe_(std::move(describe)),
      on_answered_(std::move(on_answered)),
      thread_([this] { Run(); }) {}

ResultReporter::~ResultReporter() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  thread_.join();
}

void ResultReporter::Add(v1::TaskOutcome outcome) {
  absl::MutexLock lock(&mu_);
  pending_.push_back(std::move(outcome));
  ++unanswered_;
}

bool ResultReporter::Drain(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto drained = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return pending_.empty() && in_flight_ == 0;
  };
  return mu_.AwaitWithTimeout(absl::Condition(&drained), timeout);
}

bool ResultReporter::Send(std::vector<v1::TaskOutcome>& batch) {
  v1::ReportResultsRequest request;
  describe_(request.mutable_worker());
  request.mutable_outcomes()->Reserve(batch.size());
  for (v1::TaskOutcome& o : batch) request.add_outcomes()->Swap(&o);
  v1::ReportResultsResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       absl::ToChronoMilliseconds(options_.rpc_timeout));
  grpc::Status status = stub_.ReportResults(&context, request, &response);
  if (!status.ok()) {
    LOG(WARNING) << "reporting " << batch.size()
                 << " outcomes failed, will retry: " << FromGrpcStatus(status);
    for (size_t i = 0; i < batch.size(); ++i) batch[i].Swap(request.mutable_outcomes(i));
    return false;
  }
  for (int i = 0; i < request.outcomes_size(); ++i) {
    const v1::ReportStatus s =
        i < response.statuses_size() ? response.statuses(i) : v1::REPORT_STATUS_UNSPECIFIED;
    --unanswered_;  // before the callback, so that it sees the count without this outcome
    on_answered_(request.outcomes(i).ref(), s);
  }
  reported_ += batch.size();
  return true;
}

void ResultReporter::Run() {
  absl::Duration backoff = absl::Milliseconds(50);
  while (true) {
    std::vector<v1::TaskOutcome> batch;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]()
                       ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !pending_.empty() || stop_; };
      mu_.Await(absl::Condition(&ready));
      if (pending_.empty()) return;  // stopping
      if (pending_.size() < options_.max_batch && !stop_) {
        // Give other slots a moment to add theirs: one call for many outcomes.
        auto full = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
          return pending_.size() >= options_.max_batch || stop_;
        };
        mu_.AwaitWithTimeout(absl::Condition(&full), options_.linger);
      }
      const size_t n = std::min(pending_.size(), options_.max_batch);
      batch.assign(std::make_move_iterator(pending_.begin()),
                   std::make_move_iterator(pending_.begin() + n));
      pending_.erase(pending_.begin(), pending_.begin() + n);
      in_flight_ = n;
    }
    const bool sent = Send(batch);
    absl::MutexLock lock(&mu_);
    in_flight_ = 0;
    if (sent) {
      backoff = absl::Milliseconds(50);
      continue;
    }
    // Put them back in front and wait before retrying, unless we are stopping for good.
    for (auto it = batch.rbegin(); it != batch.rend(); ++it) pending_.push_front(std::move(*it));
    if (stop_) return;
    auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_; };
    mu_.AwaitWithTimeout(absl::Condition(&stopping), backoff);
    backoff = std::min(backoff * 2, absl::Seconds(2));
  }
}

}  // namespace fanout::worker
