#include "worker/result_reporter.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/grpc_status.h"
#include "common/ref_text.h"
#include "glog/logging.h"

namespace fanout::worker {
ResultReporter::ResultReporter(v1::WorkerService::StubInterface& stub, Options options,
                               DescribeWorker describe, OnAnswered on_answered)
    : stub_(stub),
      options_(options),
      describe_(std::move(describe)),
      on_answered_(std::move(on_answered)),
      limit_(std::max<size_t>(options.max_batch, 1)),
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

std::vector<v1::TaskOutcome> ResultReporter::Take(size_t limit) {
  std::vector<v1::TaskOutcome> batch;
  size_t bytes = 0;
  while (!pending_.empty() && batch.size() < limit) {
    const size_t size = pending_.front().ByteSizeLong();
    if (!batch.empty() && bytes + size > kBatchBytes) break;
    bytes += size;
    batch.push_back(std::move(pending_.front()));
    pending_.pop_front();
  }
  return batch;
}

grpc::Status ResultReporter::Send(std::vector<v1::TaskOutcome>& batch) {
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
    LOG(WARNING) << "reporting " << batch.size() << " outcomes failed: " << FromGrpcStatus(status);
    for (size_t i = 0; i < batch.size(); ++i) batch[i].Swap(request.mutable_outcomes(i));
    return status;
  }
  for (int i = 0; i < request.outcomes_size(); ++i) {
    const v1::ReportStatus s =
        i < response.statuses_size() ? response.statuses(i) : v1::REPORT_STATUS_UNSPECIFIED;
    --unanswered_;  // before the callback, so that it sees the count without this outcome
    on_answered_(request.outcomes(i), s);
  }
  reported_ += batch.size();
  return status;
}

bool ResultReporter::Refused(std::vector<v1::TaskOutcome>& batch, const grpc::Status& status) {
  if (batch.size() == 1) {
    v1::TaskOutcome& o = batch.front();
    const std::string key = o.ref().SerializeAsString();
    // INTERNAL and DATA_LOSS are also what a broken stream or a bad record elsewhere reports: such
    // a refusal must repeat before a result is given up. A size or argument refusal is certain.
    const bool maybe_transport = status.error_code() == grpc::StatusCode::INTERNAL ||
                                 status.error_code() == grpc::StatusCode::DATA_LOSS;
    const int patience = maybe_transport ? 3 : 1;
    const int refusals = ++refusals_[key];
    if (refusals < patience) return false;
    if (refusals > patience) {
      // Refused even as a bare failure: nothing more to try. Its lease expires and the task runs
      // again elsewhere.
      LOG(ERROR) << "outcome of " << RefText(o.ref()) << " dropped: refused " << refusals
                 << " times";
      refusals_.erase(key);
      --unanswered_;
      on_answered_(o, v1::REPORT_STATUS_UNSPECIFIED);
      return true;
    }
    v1::TaskError error;
    error.set_code(v1::ERROR_FATAL);
    error.set_message(
        absl::StrCat("the coordinator refused this outcome: ", FromGrpcStatus(status).ToString()));
    *o.mutable_error() = std::move(error);  // the results (or whatever it held) go
  }
  limit_ = std::max<size_t>(1, batch.size() / 2);
  for (auto it = batch.rbegin(); it != batch.rend(); ++it) pending_.push_front(std::move(*it));
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
      if (pending_.size() < limit_ && !stop_ && (pending_.size() > 1 || last_batch_ > 1)) {
        // Give other slots a moment to add theirs: one call for many outcomes. Not when outcomes
        // come one at a time: a lone task's end would wait for company that is not coming.
        auto full = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
          return pending_.size() >= limit_ || stop_;
        };
        mu_.AwaitWithTimeout(absl::Condition(&full), options_.linger);
      }
      batch = Take(limit_);
      in_flight_ = last_batch_ = batch.size();
    }
    // Only a batch of one can hold an outcome replaced after a refusal (see Refused).
    const std::string alone = batch.size() == 1 ? batch[0].ref().SerializeAsString() : "";
    const grpc::Status status = Send(batch);
    absl::MutexLock lock(&mu_);
    in_flight_ = 0;
    if (status.ok()) {
      if (!alone.empty()) refusals_.erase(alone);
      backoff = absl::Milliseconds(50);
      limit_ = std::min(std::max<size_t>(options_.max_batch, 1), limit_ * 2);
      continue;
    }
    if (!IsTransientCallFailure(FromGrpcStatus(status).code()) && Refused(batch, status)) {
      continue;  // smaller, or changed: worth sending at once
    }
    // Put them back in front and wait before retrying, unless we are stopping for good.
    for (auto it = batch.rbegin(); it != batch.rend(); ++it) pending_.push_front(std::move(*it));
    if (stop_) return;
    auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_; };
    mu_.AwaitWithTimeout(absl::Condition(&stopping), backoff);
    // At most half a second: a call to an unreachable coordinator fails at once and costs
    // nothing, while a longer wait delays every outcome after it comes back.
    backoff = std::min(backoff * 2, absl::Milliseconds(500));
  }
}

}  // namespace fanout::worker
