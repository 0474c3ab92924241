#include "worker/checkpoint_batcher.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/grpc_status.h"
#include "glog/logging.h"

namespace fanout::worker {

CheckpointBatcher::CheckpointBatcher(v1::WorkerService::StubInterface& stub, Options options,
                                     DescribeWorker describe, OnAnswered on_answered)
    : stub_(stub),
      options_(options),
      describe_(std::move(describe)),
      on_answered_(std::move(on_answered)),
      limit_(std::max<size_t>(options.max_batch, 1)),
      thread_([this] { Run(); }) {}

CheckpointBatcher::~CheckpointBatcher() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  thread_.join();
}

absl::StatusOr<v1::LeaseStatus> CheckpointBatcher::Commit(const v1::TaskRef& ref,
                                                          absl::string_view cursor, double progress,
                                                          absl::Time deadline,
                                                          const std::atomic<bool>* fenced) {
  auto pending = std::make_shared<Pending>();
  *pending->entry.mutable_ref() = ref;
  pending->entry.set_cursor(std::string(cursor));
  pending->entry.set_progress(progress);
  pending->deadline = deadline;
  if (fenced != nullptr && fenced->load()) return v1::LEASE_LOST;  // nothing to wait for
  absl::MutexLock lock(&mu_);
  if (stop_) return absl::UnavailableError("worker stopping");
  queue_.push_back(pending);
  // A handler cut off from the coordinator waits here; once its lease is given up (self-fencing,
  // a cancel) it must stop now, not when the call retried for it times out. The entry stays
  // queued: if it reaches the coordinator later, the answer still goes to the history.
  while (!mu_.AwaitWithTimeout(absl::Condition(&pending->done), absl::Milliseconds(50))) {
    if (fenced != nullptr && fenced->load()) return v1::LEASE_LOST;
  }
  return pending->result;
}

grpc::Status CheckpointBatcher::Send(std::vector<std::shared_ptr<Pending>>& batch) {
  v1::CheckpointRequest request;
  describe_(request.mutable_worker());
  for (const auto& p : batch) *request.add_checkpoints() = p->entry;
  v1::CheckpointResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       absl::ToChronoMilliseconds(options_.rpc_timeout));
  grpc::Status status = stub_.Checkpoint(&context, request, &response);
  if (!status.ok()) {
    LOG_EVERY_N(WARNING, 10) << "committing " << batch.size()
                             << " checkpoints failed: " << FromGrpcStatus(status);
    return status;
  }
  if (on_answered_) {  // before the callers go on: their next step comes after it
    for (size_t i = 0; i < batch.size() && i < static_cast<size_t>(response.statuses_size()); ++i) {
      on_answered_(batch[i]->entry, response.statuses(i));
    }
  }
  absl::MutexLock lock(&mu_);
  for (size_t i = 0; i < batch.size(); ++i) {
    batch[i]->result = i < static_cast<size_t>(response.statuses_size())
                           ? response.statuses(i)
                           : v1::LEASE_STATUS_UNSPECIFIED;
    batch[i]->done = true;
  }
  committed_ += batch.size();
  return status;
}

std::vector<std::shared_ptr<CheckpointBatcher::Pending>> CheckpointBatcher::Take() {
  std::vector<std::shared_ptr<Pending>> batch;
  size_t bytes = 0;
  while (!queue_.empty() && batch.size() < limit_) {
    const size_t size = queue_.front()->entry.ByteSizeLong();
    if (!batch.empty() && bytes + size > kBatchBytes) break;
    bytes += size;
    batch.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return batch;
}

void CheckpointBatcher::Failed(std::vector<std::shared_ptr<Pending>>& batch,
                               const grpc::Status& status) {
  const absl::Status why = FromGrpcStatus(status);
  const bool refused = !IsTransientCallFailure(why.code());
  if (refused) limit_ = std::max<size_t>(1, batch.size() / 2);
  const absl::Time now = absl::Now();
  for (auto it = batch.rbegin(); it != batch.rend(); ++it) {
    if (refused && batch.size() == 1) {
      (*it)->result = absl::Status(why.code(), absl::StrCat("checkpoint refused: ", why.message()));
      (*it)->done = true;
    } else if (now >= (*it)->deadline) {
      (*it)->result = absl::UnavailableError("checkpoint not committed: coordinator unreachable");
      (*it)->done = true;
    } else {
      queue_.push_front(*it);
    }
  }
}

void CheckpointBatcher::Run() {
  absl::Duration backoff = absl::Milliseconds(50);
  while (true) {
    std::vector<std::shared_ptr<Pending>> batch;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !queue_.empty() || stop_; };
      mu_.Await(absl::Condition(&ready));
      if (stop_) {
        for (auto& p : queue_) {
          p->result = absl::UnavailableError("worker stopping");
          p->done = true;
        }
        return;
      }
      // No lingering: a handler is waiting. Checkpoints that arrive while this call is out go
      // together in the next one, so batches grow with load by themselves.
      batch = Take();
    }
    const grpc::Status status = Send(batch);
    absl::MutexLock lock(&mu_);
    if (status.ok()) {
      backoff = absl::Milliseconds(50);
      limit_ = std::min(std::max<size_t>(options_.max_batch, 1), limit_ * 2);
      continue;
    }
    Failed(batch, status);
    if (!IsTransientCallFailure(FromGrpcStatus(status).code())) continue;  // changed: send now
    auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_; };
    mu_.AwaitWithTimeout(absl::Condition(&stopping), backoff);
    backoff = std::min(backoff * 2, absl::Milliseconds(500));  // a handler waits on it
  }
}

}  // namespace fanout::worker
