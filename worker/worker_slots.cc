// Worker: the slot threads that run tasks, and the watchdog that enforces time limits.
#include "absl/strings/str_cat.h"
#include "common/proto_time.h"
#include "common/ref_text.h"
#include "common/utf8.h"
#include "glog/logging.h"
#include "worker/worker.h"

namespace fanout::worker {

void Worker::StartSlot() {
  const int slot = next_slot_++;
  slots_[slot] = std::thread([this, slot] { SlotLoop(slot); });
}

void Worker::SlotLoop(int slot) {
  while (true) {
    Queued queued;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]()
                       ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !queue_.empty() || draining_; };
      mu_.Await(absl::Condition(&ready));
      if (queue_.empty()) return;
      queued = std::move(queue_.front());
      queue_.pop_front();
      if (draining_) {
        v1::TaskOutcome released;
        *released.mutable_ref() = queued.task.ref();
        released.set_released(true);
        reporter_->Add(std::move(released));
        pace_.Drop(queued.function());
        continue;
      }
      ++running_;
    }
    if (!Run(slot, queued)) return;  // abandoned: another thread has this slot now
  }
}

bool Worker::Run(int slot, Queued& queued) {
  const v1::TaskRef& ref = queued.task.ref();
  if (queued.lease->cancelled.load()) {  // lost or cancelled while it waited: nothing to report
    book_.Remove(ref);
    absl::MutexLock lock(&mu_);
    --running_;
    pace_.Drop(queued.function());
    return true;
  }
  auto abandoned = std::make_shared<std::atomic<bool>>(false);
  {
    absl::MutexLock lock(&mu_);
    const absl::Duration timeout = queued.job ? queued.job->timeout : absl::ZeroDuration();
    invocations_[slot] = {ref, queued.function(), clock_.Now() + timeout, abandoned};
  }
  v1::TaskOutcome outcome = Execute(queued);
  if (abandoned->load()) return false;  // touch nothing: the worker may be stopping
  absl::MutexLock lock(&mu_);
  if (abandoned->load()) return false;
  invocations_.erase(slot);
  --running_;
  const double seconds = absl::ToDoubleSeconds(FromProto(outcome.duration()));
  if (options_.metrics != nullptr && queued.job) {
    options_.metrics->Invocation(queued.job->function, outcome);
  }
  pace_.Record(queued.function(), seconds, clock_.Now());
  pace_.Drop(queued.function());
  reporter_->Add(std::move(outcome));
  return true;
}

v1::TaskOutcome Worker::Execute(const Queued& queued) {
  absl::StatusOr<Handler*> handler =
      queued.job ? handlers_->Resolve(queued.job->function)
                 : absl::StatusOr<Handler*>(absl::NotFoundError("function ? is not known"));
  if (!handler.ok()) {
    // Not found here is retryable: another worker of a mixed fleet (or a newer version) may have
    // the function. A function the coordinator no longer has (or whose code cannot be used) is
    // not; one it could not be asked about now is.
    v1::TaskOutcome outcome;
    *outcome.mutable_ref() = queued.task.ref();
    const absl::StatusCode code = handler.status().code();
    outcome.mutable_error()->set_code(
        code == absl::StatusCode::kFailedPrecondition ? v1::ERROR_FATAL : v1::ERROR_RETRYABLE);
    outcome.mutable_error()->set_message(absl::StrCat(
        ReplaceInvalidUtf8(handler.status().message()), " (worker ", options_.worker_id, ")"));
    return outcome;
  }
  RunEnvironment env{clock_, queued.lease->cancel_flag(queued.lease), stop_now_,
                     [this, ref = queued.task.ref(), lease = queued.lease](
                         absl::string_view cursor, double progress, absl::Time deadline) {
                       absl::StatusOr<v1::LeaseStatus> status =
                           checkpoints_->Commit(ref, cursor, progress, deadline, &lease->cancelled);
                       if (status.ok() && *status != v1::LEASE_OK) {
                         LOG(WARNING) << "checkpoint of " << RefText(ref)
                                      << " refused: " << v1::LeaseStatus_Name(*status);
                       }
                       return status;
                     }};
  ++busy_;
  queued.lease->started = true;
  queued.lease->running = true;
  v1::TaskOutcome outcome = RunTask(queued.task, *queued.job, **handler, env);
  queued.lease->running = false;
  --busy_;
  return outcome;
}

void Worker::WatchdogLoop() {
  while (true) {
    absl::MutexLock lock(&mu_);
    auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return watchdog_stop_; };
    if (mu_.AwaitWithTimeout(absl::Condition(&stopping), absl::Milliseconds(100))) return;
    const absl::Time now = clock_.Now();
    for (auto it = invocations_.begin(); it != invocations_.end();) {
      if (now > it->second.deadline + options_.abandon_grace) {
        Abandon(it->first, it->second);
        invocations_.erase(it++);
      } else {
        ++it;
      }
    }
  }
}

void Worker::Abandon(int slot, Running& running) {
  LOG(WARNING) << "abandoning " << RefText(running.ref) << ": still running "
               << options_.abandon_grace << " past its time limit";
  running.abandoned->store(true);
  ++abandoned_;
  book_.Cancel(running.ref);
  v1::TaskOutcome continued;
  *continued.mutable_ref() = running.ref;
  continued.set_continued(true);
  reporter_->Add(std::move(continued));
  pace_.Drop(running.function);
  --running_;
  auto thread = slots_.find(slot);
  if (thread != slots_.end()) {
    thread->second.detach();
    slots_.erase(thread);
  }
  if (!draining_) StartSlot();
}

}  // namespace fanout::worker
