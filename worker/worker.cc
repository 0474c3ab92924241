#include "worker/worker.h"

#include <unistd.h>

#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/grpc_status.h"
#include "common/ids.h"
#include "common/json_text.h"
#include "common/limits.h"
#include "common/process_util.h"
#include "common/proto_time.h"
#include "common/ref_text.h"
#include "glog/logging.h"

namespace fanout::worker {

Worker::Worker(Options options, std::unique_ptr<HandlerRegistry> handlers, Clock& clock)
    : options_(std::move(options)),
      handlers_(std::move(handlers)),
      clock_(clock),
      started_at_(clock.Now()) {
  if (options_.worker_id.empty()) {
    options_.worker_id = absl::StrCat(HostName(), "-", getpid(), "-", RandomId("", 3));
  }
  options_.slots = std::max(1, options_.slots);
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(kMaxMessageBytes);
  channel_ = DialCoordinator(options_.coordinator, options_.security, args);
  stub_ = v1::WorkerService::NewStub(channel_);
  auto describe = [this](v1::WorkerInfo* info) { Describe(info); };
  reporter_ = std::make_unique<ResultReporter>(
      *stub_, options_.reporter, describe,
      [this](const v1::TaskOutcome& outcome, v1::ReportStatus status) {
        const v1::TaskRef& ref = outcome.ref();
        if (options_.history != nullptr) options_.history->Outcome(outcome, status);
        // Also a handler this worker fenced itself (it was cut off past the TTL): worth a warning,
        // so one stopped by a cancel is told the same way.
        if (status == v1::REPORT_STALE) {
          LOG(WARNING) << "outcome of " << RefText(ref)
                       << " refused: stale epoch (the task moved on without this worker, or its "
                          "job was cancelled)";
        }
        book_.Remove(ref);
        // Only when the leaser waits for the backlog of outcomes to shrink does it need waking
        // (taking the lock makes it look again): not once per outcome, tens of thousands a second.
        if (waiting_for_reports_.load(std::memory_order_relaxed) &&
            reporter_->unanswered() < options_.max_unreported) {
          absl::MutexLock lock(&mu_);
        }
      });
  renewer_ = std::make_unique<LeaseRenewer>(*stub_, book_, describe);
  checkpoints_ = std::make_unique<CheckpointBatcher>(
      *stub_, options_.checkpoints, describe,
      [history = options_.history](const v1::CheckpointEntry& entry, v1::LeaseStatus status) {
        if (history != nullptr) history->Checkpoint(entry, status);
      });
}

Worker::~Worker() { Stop(); }

void Worker::Start() {
  leaser_ = std::thread([this] { LeaseLoop(); });
  watchdog_ = std::thread([this] { WatchdogLoop(); });
  absl::MutexLock lock(&mu_);
  for (int i = 0; i < options_.slots; ++i) StartSlot();
}

void Worker::Describe(v1::WorkerInfo* info) const {
  info->set_worker_id(options_.worker_id);
  info->set_host(HostName());
  info->set_slots(options_.slots);
  info->set_busy(busy_.load());
  ToProto(started_at_, info->mutable_started_at());
  info->set_leaving(leaving_.load());
}

size_t Worker::PrefetchFor(double seconds) const {
  // A function not run yet: as deep as the slots.
  if (seconds < 0 || seconds == std::numeric_limits<double>::infinity()) return options_.slots;
  // Without lease-ahead a freed slot waits one lease round trip for its next task. For a task 20
  // times longer than that round trip the wait is under 5% of it, while every task queued here
  // could have run on a worker with an idle slot: the job's last round then runs on this worker
  // alone (sleep-fanout: 12 queued tasks cost a whole extra round, 1.11x).
  const double rtt = lease_rtt_ > 0 ? lease_rtt_ : 0.002;
  if (seconds >= 20 * rtt) return 0;
  // Shorter tasks: a few round trips' worth of queued work beyond the slots (at least 10 ms):
  // deep for tiny tasks, one lease call per many of them.
  const double ahead = options_.slots * std::max(0.01, 4 * rtt) / std::max(seconds, 1e-6);
  return static_cast<size_t>(std::min<double>(ahead, options_.max_prefetch));
}

size_t Worker::WantLocked() const {
  // By the slowest function in hand: what arrives may be any of them.
  const size_t prefetch = PrefetchFor(pace_.SlowestSeconds(clock_.Now()));
  const bool backlog = reporter_->unanswered() >= options_.max_unreported;
  waiting_for_reports_.store(backlog, std::memory_order_relaxed);
  if (backlog) return 0;
  const size_t capacity = options_.slots + prefetch;
  const size_t outstanding = queue_.size() + running_;
  if (outstanding >= capacity) return 0;
  const size_t want = capacity - outstanding;
  // Ask for a worthwhile batch, not one task per finished task.
  return want >= std::max<size_t>(1, prefetch / 2) ? want : 0;
}

size_t Worker::QueueableLocked(const std::string& function) const {
  // Never fewer than the slots: a release costs a round trip and the task a new attempt, worth it
  // only when an ask by a fast function's pace brought many slow tasks, not when the lease-ahead
  // moved by a task or two between the ask and the grant (the round trip it is measured by
  // varies).
  const size_t prefetch = PrefetchFor(pace_.Seconds(function, clock_.Now()));
  const size_t capacity = options_.slots + std::max<size_t>(prefetch, options_.slots);
  return capacity - std::min<size_t>(capacity, running_);
}

void Worker::ReleaseExcessLocked(const std::vector<std::string>& arrived) {
  // A lease asked for by the pace of fast tasks may bring slow ones (a new job's): what the slots
  // cannot start soon goes back at once, for idle workers, instead of waiting here. Each function
  // may have queued what its own pace allows; most grants bring nothing new and skip the walk.
  size_t tightest = std::numeric_limits<size_t>::max();
  for (const std::string& f : arrived) tightest = std::min(tightest, QueueableLocked(f));
  if (queue_.size() <= tightest) return;
  struct Count {
    size_t kept = 0, allowed = 0;
  };
  absl::flat_hash_map<std::string, Count> counts;
  std::deque<Queued> kept;
  for (Queued& queued : queue_) {
    const std::string function = queued.function();
    auto [it, fresh] = counts.try_emplace(function);
    if (fresh) it->second.allowed = QueueableLocked(function);
    if (it->second.kept < it->second.allowed) {
      ++it->second.kept;
      kept.push_back(std::move(queued));
      continue;
    }
    v1::TaskOutcome released;
    *released.mutable_ref() = queued.task.ref();
    released.set_released(true);
    reporter_->Add(std::move(released));
    pace_.Drop(function);
  }
  queue_.swap(kept);
}

void Worker::LeaseLoop() {
  LeaseLoopUntilStopped();
  absl::MutexLock lock(&mu_);
  leaser_done_ = true;
}

void Worker::LeaseLoopUntilStopped() {
  std::string request_id;
  absl::Duration backoff = absl::Milliseconds(100);
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      auto go = [this]()
                    ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_ || WantLocked() > 0; };
      mu_.Await(absl::Condition(&go));
      if (stopping_) return;
    }
    if (LeaseOnce(request_id)) {
      backoff = absl::Milliseconds(100);
      continue;
    }
    absl::MutexLock lock(&mu_);
    auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_; };
    if (mu_.AwaitWithTimeout(absl::Condition(&stopping), backoff)) return;
    backoff = std::min(backoff * 2, absl::Milliseconds(500));  // idle slots wait on it
  }
}

bool Worker::LeaseOnce(std::string& request_id) {
  // The same request id until the call succeeds: a retry after a lost reply gets the same tasks.
  if (request_id.empty()) request_id = RandomId("l-");
  v1::LeaseTasksRequest request;
  grpc::ClientContext context;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return true;
    request.set_max_tasks(static_cast<uint32_t>(WantLocked()));
    active_lease_ = &context;
  }
  Describe(request.mutable_worker());
  ToProto(options_.lease_wait, request.mutable_wait());
  request.set_request_id(request_id);
  context.set_deadline(std::chrono::system_clock::now() +
                       absl::ToChronoMilliseconds(options_.lease_wait + absl::Seconds(10)));
  v1::LeaseTasksResponse response;
  const absl::Time sent = absl::Now();  // real time: the network's, whatever clock_ is
  grpc::Status status = stub_->LeaseTasks(&context, request, &response);
  {
    absl::MutexLock lock(&mu_);
    active_lease_ = nullptr;
    // Only calls answered at once: one that waited for work (a long poll) measured the wait.
    if (status.ok() && !response.waited()) {
      const double took = absl::ToDoubleSeconds(absl::Now() - sent);
      // Down at once, up slowly: the first call also paid for connecting, and one slow call
      // should not make a worker lease deep.
      lease_rtt_ = lease_rtt_ < 0 || took < lease_rtt_ ? took : 0.9 * lease_rtt_ + 0.1 * took;
    }
    if (stopping_ && !status.ok()) return true;
  }
  if (!status.ok()) {
    LOG_EVERY_N(WARNING, 10) << "leasing from " << options_.coordinator
                             << " failed: " << FromGrpcStatus(status);
    // Refused for what it carried (a response over the message limit, say): asking again under
    // the same id would be handed the very same grant. A new id leases afresh.
    if (!IsTransientCallFailure(FromGrpcStatus(status).code())) request_id.clear();
    return false;
  }
  request_id.clear();
  renewer_->set_lease_ttl(FromProto(response.lease_ttl()));
  Accept(response);
  return true;
}

void Worker::Accept(v1::LeaseTasksResponse& response) {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> arrived;
  for (const v1::JobContext& j : response.jobs()) {
    arrived.push_back(j.function());
    auto info = std::make_shared<JobInfo>();
    info->job_id = j.job_id();
    info->function = j.function();
    // Checked at submit; an object under the coordinator's policy (common/json_text.h).
    info->params = ParseJson(j.params_json(), "params_json").value_or(nlohmann::json::object());
    if (!info->params.is_object()) info->params = nlohmann::json::object();
    info->timeout = FromProto(j.timeout());
    if (response.max_result_bytes() > 0) info->max_result_bytes = response.max_result_bytes();
    jobs_[j.job_id()] = std::move(info);
  }
  for (v1::LeasedTask& task : *response.mutable_tasks()) {
    LeaseHandle lease = book_.Add(task.ref());
    auto job = jobs_.find(task.ref().job_id());
    pace_.Hold(job == jobs_.end() ? "" : job->second->function, clock_.Now());
    queue_.push_back(
        {std::move(task), std::move(lease), job == jobs_.end() ? nullptr : job->second});
  }
  ReleaseExcessLocked(arrived);
}

void Worker::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) return;
    stopped_ = true;
    stopping_ = true;
  }
  // From now on every call says the worker is leaving; the first one also answers its parked
  // lease call at once (the coordinator sees it leaving), so an idle worker stops in a round trip.
  leaving_ = true;
  SayGoodbye();
  {
    absl::MutexLock lock(&mu_);
    // A lease call in flight may already have been granted (and written): give it a moment to
    // come back so that its tasks are released rather than left to expire.
    auto leaser_done = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return leaser_done_; };
    if (!mu_.AwaitWithTimeout(absl::Condition(&leaser_done), absl::Seconds(1)) &&
        active_lease_ != nullptr) {
      active_lease_->TryCancel();
    }
  }
  if (leaser_.joinable()) leaser_.join();
  auto idle = [this]()
                  ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return running_ == 0 && queue_.empty(); };
  std::map<int, std::thread> slots;
  {
    absl::MutexLock lock(&mu_);
    draining_ = true;
    ReleaseQueuedLocked();
    if (!mu_.AwaitWithTimeout(absl::Condition(&idle), options_.drain_timeout)) {
      // Time is up for what still runs: handlers checkpoint and stop, their tasks continue
      // elsewhere (no attempt used); those that do not stop are abandoned.
      LOG(WARNING) << "tasks still running after " << options_.drain_timeout
                   << ": stopping them at their last checkpoint";
      stop_now_->store(true);
      if (!mu_.AwaitWithTimeout(absl::Condition(&idle),
                                options_.abandon_grace + absl::Seconds(2))) {
        for (auto& [slot, running] : invocations_) Abandon(slot, running);
        invocations_.clear();
      }
    }
    watchdog_stop_ = true;
    slots.swap(slots_);
  }
  if (watchdog_.joinable()) watchdog_.join();
  for (auto& [slot, thread] : slots) thread.join();
  if (!reporter_->Drain(options_.drain_timeout)) {
    LOG(WARNING) << "some outcomes could not be reported; their leases will expire";
  }
}

void Worker::SayGoodbye() {
  // Out of the coordinator's totals now, not a lease TTL later, and its parked lease call answered.
  // Best effort: a coordinator that does not hear it counts the worker gone once the TTL passes.
  v1::RenewLeasesRequest request;
  Describe(request.mutable_worker());
  request.mutable_worker()->set_leaving(true);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(1));
  v1::RenewLeasesResponse response;
  const grpc::Status status = stub_->RenewLeases(&context, request, &response);
  LOG_IF(WARNING, !status.ok()) << "could not tell the coordinator this worker is leaving: "
                                << status.error_message();
}

void Worker::ReleaseQueuedLocked() {
  for (Queued& queued : queue_) {
    v1::TaskOutcome released;
    *released.mutable_ref() = queued.task.ref();
    released.set_released(true);
    reporter_->Add(std::move(released));
  }
  queue_.clear();
}

}  // namespace fanout::worker
