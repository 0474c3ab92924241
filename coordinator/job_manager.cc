#include "coordinator/job_manager.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/proto_time.h"
#include "common/status_macros.h"
#include "coordinator/fan_in/manifest_sink.h"
#include "coordinator/metrics/coordinator_metrics.h"
#include "glog/logging.h"

namespace fanout::coordinator {

JobManager::JobManager(JobStore& store, Clock& clock, Options options)
    : store_(store),
      clock_(clock),
      options_(options),
      lease_tokens_(options.lease_tokens != nullptr
                        ? options.lease_tokens
                        : std::make_shared<const LeaseTokens>(LeaseTokens::Random())),
      thread_([this] { Run(); }),
      retention_thread_([this] { RunRetention(); }) {}

JobManager::~JobManager() { Shutdown(); }

void JobManager::CountForged(size_t refused) {
  if (refused == 0) return;
  LOG_EVERY_N(WARNING, 100) << refused << " worker call entries refused: no or a wrong lease token";
  if (options_.metrics != nullptr) options_.metrics->LeaseTokensRefused(refused);
}

void JobManager::Shutdown() {
  {
    absl::MutexLock lock(&mu_);
    if (stop_) return;
    stop_ = true;
  }
  thread_.join();
  retention_thread_.join();
}

void JobManager::RunRetention() {
  // On a thread of its own: a pass that deletes a backlog of jobs must not hold up lease expiry.
  absl::Duration wait = absl::ZeroDuration();
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (clock_.AwaitFor(mu_, absl::Condition(&stop_), wait)) return;
    }
    absl::StatusOr<RetentionDone> done = store_.ApplyRetention(options_.retention);
    if (!done.ok()) {
      LOG(ERROR) << "retention: " << done.status();
    } else if (done->jobs_deleted + done->keys_forgotten > 0) {
      LOG(INFO) << "retention: " << done->jobs_deleted << " ended jobs deleted, the keys of "
                << done->keys_forgotten << " forgotten";
    }
    wait = done.ok() && done->more ? absl::ZeroDuration() : options_.retention_every;
  }
}

absl::StatusOr<v1::Job> JobManager::CancelJob(absl::string_view job_id) {
  absl::StatusOr<v1::Job> job = store_.CancelJob(job_id);
  Changed();
  if (job.ok()) FillHandlersRunning(&*job);
  return job;
}

absl::StatusOr<v1::LeaseTasksResponse> JobManager::TryLease(const v1::LeaseTasksRequest& request) {
  const std::string& worker_id = request.worker().worker_id();
  absl::StatusOr<LeaseGrant> grant = LeaseGrant();
  bool retried = false;
  if (!request.request_id().empty()) {
    std::optional<std::vector<v1::TaskRef>> refs;
    {
      absl::MutexLock lock(&mu_);
      auto it = last_grant_.find(worker_id);
      if (it != last_grant_.end() && it->second.first == request.request_id()) {
        refs = it->second.second;
      }
    }
    if (refs) {
      // The worker never heard of these leases, so nothing renewed them: they start afresh now,
      // as a grant would (its self-fencing counts the TTL from their arrival).
      (void)store_.RenewLeases(
          google::protobuf::RepeatedPtrField<v1::TaskRef>(refs->begin(), refs->end()),
          options_.lease_ttl, {});
      grant = store_.Regrant(*refs);
    }
    // Nothing of it is still held (it expired meanwhile): lease afresh instead.
    retried = refs && grant.ok() && !grant->tasks.empty();
  }
  if (!retried) {
    grant = store_.LeaseTasks(
        worker_id, std::clamp<size_t>(request.max_tasks(), 1, options_.max_tasks_per_lease),
        options_.lease_ttl);
  }
  if (!grant.ok()) return grant.status();
  v1::LeaseTasksResponse response;
  response.mutable_tasks()->Reserve(grant->tasks.size());
  std::vector<v1::TaskRef> refs;
  for (v1::LeasedTask& t : grant->tasks) {
    t.mutable_ref()->set_lease_token(lease_tokens_->Sign(t.ref(), worker_id));
    if (!request.request_id().empty()) refs.push_back(t.ref());
    response.add_tasks()->Swap(&t);
  }
  for (v1::JobContext& j : grant->jobs) {
    if (!j.has_timeout()) {
      auto it = options_.function_timeouts.find(j.function());
      ToProto(it == options_.function_timeouts.end() ? kDefaultTimeout : it->second,
              j.mutable_timeout());
    }
    response.add_jobs()->Swap(&j);
  }
  ToProto(options_.lease_ttl, response.mutable_lease_ttl());
  response.set_max_result_bytes(options_.max_result_bytes);
  if (!request.request_id().empty() && !retried && !refs.empty()) {
    absl::MutexLock lock(&mu_);
    last_grant_[worker_id] = {request.request_id(), std::move(refs)};
  }
  return response;
}

void JobManager::LeaseTasks(const v1::LeaseTasksRequest& request, LeaseDone done,
                            std::function<bool()> gone) {
  if (request.worker().worker_id().empty()) {
    std::move(done)(absl::InvalidArgumentError("worker.worker_id: missing"));
    return;
  }
  const absl::Time now = clock_.Now();
  workers_.Touch(request.worker(), now, std::nullopt);
  if (workers_.Leaving(request.worker())) {  // sent before its goodbye: nothing, at once
    v1::LeaseTasksResponse nothing;
    nothing.set_waited(true);
    std::move(done)(std::move(nothing));
    return;
  }
  absl::StatusOr<v1::LeaseTasksResponse> response = TryLease(request);
  const absl::Duration wait = std::min(FromProto(request.wait()), options_.max_lease_wait);
  if (!response.ok() || response->tasks_size() > 0 || wait <= absl::ZeroDuration()) {
    std::move(done)(std::move(response));
    return;
  }
  absl::MutexLock lock(&mu_);
  if (stop_) {
    std::move(done)(std::move(response));
    return;
  }
  waiters_.push_back({request, now + wait, std::move(done), std::move(gone)});
}

absl::StatusOr<v1::RenewLeasesResponse> JobManager::RenewLeases(
    const v1::RenewLeasesRequest& request) {
  workers_.Touch(request.worker(), clock_.Now(), request.leases_size(), /*renewal=*/true);
  if (request.worker().leaving()) AnswerWaitersOf(request.worker().worker_id());
  const CheckedEntries<v1::TaskRef> checked(
      request.leases(), [](const v1::TaskRef& ref) -> const v1::TaskRef& { return ref; },
      *lease_tokens_, request.worker().worker_id());
  CountForged(checked.refused());
  std::vector<HandlerSaid> said;
  if (request.started_size() == request.leases_size()) {
    said.reserve(request.started_size());
    for (bool started : request.started()) {
      said.push_back(started ? HandlerSaid::kStarted : HandlerSaid::kWaiting);
    }
    said = checked.Kept(std::move(said));
  }
  ASSIGN_OR_RETURN(std::vector<v1::LeaseStatus> statuses,
                   store_.RenewLeases(checked.entries(), options_.lease_ttl, said));
  v1::RenewLeasesResponse response;
  for (v1::LeaseStatus s : checked.Realign(std::move(statuses), v1::LEASE_LOST)) {
    response.add_statuses(s);
  }
  ToProto(options_.lease_ttl, response.mutable_lease_ttl());
  return response;
}

absl::StatusOr<v1::ReportResultsResponse> JobManager::ReportResults(
    const v1::ReportResultsRequest& request) {
  workers_.Touch(request.worker(), clock_.Now(), std::nullopt);
  const CheckedEntries<v1::TaskOutcome> genuine(
      request.outcomes(), [](const v1::TaskOutcome& o) -> const v1::TaskRef& { return o.ref(); },
      *lease_tokens_, request.worker().worker_id());
  CountForged(genuine.refused());
  const google::protobuf::RepeatedPtrField<v1::TaskOutcome>& outcomes = genuine.entries();
  // Results over the limit (from a worker that did not check) fail their task instead: copied
  // only then.
  std::optional<google::protobuf::RepeatedPtrField<v1::TaskOutcome>> checked;
  for (int i = 0; i < outcomes.size(); ++i) {
    const v1::TaskOutcome& o = outcomes[i];
    size_t bytes = 0;
    for (const std::string& r : o.results().results()) bytes += r.size();
    if (bytes <= options_.max_result_bytes) continue;
    if (!checked) checked = outcomes;
    v1::TaskError* error = (*checked)[i].mutable_error();  // the results go
    error->set_code(v1::ERROR_FATAL);
    error->set_message(absl::StrCat("the results are ", bytes, " bytes, over the limit of ",
                                    options_.max_result_bytes,
                                    " (the coordinator's --max_result_bytes)"));
  }
  ASSIGN_OR_RETURN(std::vector<ReportVerdict> verdicts,
                   store_.ReportOutcomes(checked ? *checked : outcomes));
  if (options_.metrics != nullptr) {
    options_.metrics->ReportsRefused(
        std::count(verdicts.begin(), verdicts.end(), ReportVerdict::kStale));
  }
  verdicts = genuine.Realign(std::move(verdicts), ReportVerdict::kStale);
  v1::ReportResultsResponse response;
  for (ReportVerdict v : verdicts) {
    switch (v) {
      case ReportVerdict::kAccepted:
      case ReportVerdict::kDuplicate:
        response.add_statuses(v1::REPORT_ACCEPTED);
        break;
      case ReportVerdict::kStale:
        response.add_statuses(v1::REPORT_STALE);
        break;
      default:
        response.add_statuses(v1::REPORT_UNKNOWN);
        break;
    }
  }
  Notify();  // finished tasks free concurrency; retries may be ready
  Changed();
  return response;
}

absl::StatusOr<v1::CheckpointResponse> JobManager::Checkpoint(
    const v1::CheckpointRequest& request) {
  workers_.Touch(request.worker(), clock_.Now(), std::nullopt);
  const absl::Time start = clock_.Now();
  const CheckedEntries<v1::CheckpointEntry> checked(
      request.checkpoints(),
      [](const v1::CheckpointEntry& e) -> const v1::TaskRef& { return e.ref(); }, *lease_tokens_,
      request.worker().worker_id());
  CountForged(checked.refused());
  ASSIGN_OR_RETURN(std::vector<v1::LeaseStatus> statuses,
                   store_.Checkpoint(checked.entries(), options_.lease_ttl));
  statuses = checked.Realign(std::move(statuses), v1::LEASE_LOST);
  if (options_.metrics != nullptr) {
    options_.metrics->CheckpointCall(std::count(statuses.begin(), statuses.end(), v1::LEASE_OK),
                                     std::count(statuses.begin(), statuses.end(), v1::LEASE_LOST),
                                     clock_.Now() - start);
  }
  v1::CheckpointResponse response;
  for (v1::LeaseStatus s : statuses) response.add_statuses(s);
  Changed();  // progress moved
  return response;
}

absl::StatusOr<v1::RedriveJobResponse> JobManager::RedriveJob(
    const v1::RedriveJobRequest& request) {
  ASSIGN_OR_RETURN(RedriveOutcome out, store_.RedriveJob(request.job_id(), request.from_scratch()));
  Notify();
  Changed();
  v1::RedriveJobResponse response;
  *response.mutable_job() = std::move(out.job);
  FillHandlersRunning(response.mutable_job());
  response.set_redriven(out.redriven);
  return response;
}

absl::StatusOr<v1::Job> JobManager::UpdateJob(const v1::UpdateJobRequest& request) {
  if (!request.has_max_concurrency()) {
    return absl::InvalidArgumentError("max_concurrency: missing; nothing else can change yet");
  }
  ASSIGN_OR_RETURN(v1::Job job,
                   store_.SetMaxConcurrency(request.job_id(), request.max_concurrency()));
  Notify();  // a higher limit lets waiting workers have more
  Changed();
  FillHandlersRunning(&job);
  return job;
}

void JobManager::Notify() {
  absl::MutexLock lock(&mu_);
  notified_ = true;
}

void JobManager::Run() {
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      auto woken = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return notified_ || stop_; };
      clock_.AwaitFor(mu_, absl::Condition(&woken), options_.tick);
      if (stop_) break;
      notified_ = false;
    }
    absl::StatusOr<size_t> expired = store_.ExpireLeases();
    if (!expired.ok()) LOG(ERROR) << "expiring leases: " << expired.status();
    if (expired.ok() && *expired > 0) Changed();
    ServeWaiters();
  }
  std::deque<Waiter> waiters;
  {
    absl::MutexLock lock(&mu_);
    waiters.swap(waiters_);
  }
  v1::LeaseTasksResponse nothing;
  nothing.set_waited(true);
  for (Waiter& w : waiters) std::move(w.done)(nothing);
}

void JobManager::AnswerWaitersOf(const std::string& worker_id) {
  // A stopping worker waits for its lease call to come back before it releases its queue: answer
  // it now, with nothing, instead of at the end of its long poll.
  std::deque<Waiter> leaving;
  {
    absl::MutexLock lock(&mu_);
    std::deque<Waiter> still;
    for (Waiter& w : waiters_) {
      (w.request.worker().worker_id() == worker_id ? leaving : still).push_back(std::move(w));
    }
    waiters_.swap(still);
  }
  v1::LeaseTasksResponse nothing;
  nothing.set_waited(true);  // not a round trip the worker should measure
  for (Waiter& w : leaving) std::move(w.done)(nothing);
}

void JobManager::ServeWaiters() {
  std::deque<Waiter> waiting;
  {
    absl::MutexLock lock(&mu_);
    waiting.swap(waiters_);
  }
  std::deque<Waiter> still;
  const absl::Time now = clock_.Now();
  for (Waiter& w : waiting) {
    if (w.gone && w.gone()) {
      std::move(w.done)(absl::CancelledError("the worker hung up"));
      continue;
    }
    if (workers_.Leaving(w.request.worker())) {  // its goodbye came while this list was out
      v1::LeaseTasksResponse nothing;
      nothing.set_waited(true);
      std::move(w.done)(std::move(nothing));
      continue;
    }
    absl::StatusOr<v1::LeaseTasksResponse> response = TryLease(w.request);
    if (response.ok()) response->set_waited(true);
    if (!response.ok() || response->tasks_size() > 0 || now >= w.deadline) {
      std::move(w.done)(std::move(response));
    } else {
      still.push_back(std::move(w));
    }
  }
  absl::MutexLock lock(&mu_);
  // Keep arrival order: the ones that waited longer go first next time.
  for (Waiter& w : waiters_) still.push_back(std::move(w));
  waiters_.swap(still);
}

}  // namespace fanout::coordinator
