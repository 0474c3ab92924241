#include "coordinator/metrics/coordinator_metrics.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "common/errors.h"
#include "common/proto_time.h"

namespace fanout::coordinator {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;

const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
  static const auto* buckets = new prometheus::Histogram::BucketBoundaries{
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
      0.1,    0.25,    0.5,    1,     2.5,    5,     10,   30};
  return *buckets;
}

constexpr const char* kStates[] = {"pending", "running", "succeeded",
                                   "failed",  "dead",    "cancelled"};

uint64_t CountOf(const v1::TaskCounts& c, int state) {
  const uint64_t values[] = {c.pending(), c.running(), c.succeeded(),
                             c.failed(),  c.dead(),    c.cancelled()};
  return values[state];
}

prometheus::Counter& Counter(prometheus::Registry& r, const std::string& name,
                             const std::string& help) {
  return BuildCounter().Name(name).Help(help).Register(r).Add({});
}

// Counters copied from a running total: only ever moved forward, so that a scrape that read
// older totals than the one before it (two scrapes at once) adds nothing.
template <typename T>
void CatchUp(prometheus::Counter& counter, T total, T& exported) {
  if (total <= exported) return;
  counter.Increment(static_cast<double>(total - exported));
  exported = total;
}

}  // namespace

CoordinatorMetrics::CoordinatorMetrics(prometheus::Registry& r)
    : jobs_submitted_(Counter(r, "fanout_jobs_submitted_total", "Jobs created.")),
      dispatched_(Counter(r, "fanout_tasks_dispatched_total", "Task leases granted to workers.")),
      succeeded_(Counter(r, "fanout_tasks_succeeded_total", "Tasks that ended SUCCEEDED.")),
      failed_(Counter(r, "fanout_tasks_failed_total", "Tasks that ended FAILED.")),
      dead_(Counter(r, "fanout_tasks_dead_total", "Tasks that ended DEAD (retries exhausted).")),
      cancelled_(Counter(r, "fanout_tasks_cancelled_total", "Tasks that ended CANCELLED.")),
      continued_(Counter(r, "fanout_tasks_continued_total",
                         "Invocations that reached their time limit and continue from their "
                         "checkpoint.")),
      retried_(Counter(r, "fanout_tasks_retried_total",
                       "Failed attempts sent back to PENDING for another try.")),
      lease_expiries_(Counter(r, "fanout_lease_expiries_total",
                              "Leases that expired because their worker stopped renewing.")),
      invocations_(Counter(r, "fanout_invocations_total", "Invocations metered (reported).")),
      gb_seconds_(Counter(r, "fanout_invocation_gigabyte_seconds_total",
                          "GB-seconds metered: duration (rounded up to 1 ms) x memory size.")),
      stale_refusals_(Counter(r, "fanout_stale_epoch_refusals_total",
                              "Reports and checkpoints refused for a stale lease epoch.")),
      token_refusals_(Counter(r, "fanout_lease_token_refusals_total",
                              "Renewals, checkpoints and reports refused for a missing or wrong "
                              "lease token (forged, or another worker's).")),
      checkpoint_commits_(
          Counter(r, "fanout_checkpoint_commits_total", "Checkpoints committed durably.")),
      checkpoint_seconds_(BuildHistogram()
                              .Name("fanout_checkpoint_commit_seconds")
                              .Help("Checkpoint call latency, until durable.")
                              .Register(r)
                              .Add({}, LatencyBuckets())),
      commit_batches_(
          BuildHistogram()
              .Name("fanout_store_group_commit_batch_size")
              .Help("Transitions written per disk write (group commit).")
              .Register(r)
              .Add({}, prometheus::Histogram::BucketBoundaries{1, 2, 4, 8, 16, 32, 64, 128, 256,
                                                               512, 1024, 4096})),
      sync_seconds_(BuildHistogram()
                        .Name("fanout_store_sync_seconds")
                        .Help("Duration of one RocksDB write with its WAL sync.")
                        .Register(r)
                        .Add({}, LatencyBuckets())),
      rpc_seconds_(BuildHistogram()
                       .Name("fanout_rpc_duration_seconds")
                       .Help("gRPC call duration by method (lease calls include their wait).")
                       .Register(r)),
      tasks_(BuildGauge()
                 .Name("fanout_tasks")
                 .Help("Tasks by state, for running jobs and jobs that ended in the last 10 min.")
                 .Register(r)),
      backlog_(BuildGauge()
                   .Name("fanout_backlog_tasks")
                   .Help("Pending tasks (ready, backing off or not yet read) per running job.")
                   .Register(r)),
      oldest_pending_(BuildGauge()
                          .Name("fanout_oldest_pending_age_seconds")
                          .Help("How long the job's oldest pending task has waited.")
                          .Register(r)),
      jobs_(BuildGauge()
                .Name("fanout_jobs")
                .Help("Jobs by state: running ones, and those that ended in the last 10 min.")
                .Register(r)),
      workers_(BuildGauge()
                   .Name("fanout_workers")
                   .Help("Workers heard from within one lease TTL.")
                   .Register(r)
                   .Add({})),
      heartbeat_age_(BuildGauge()
                         .Name("fanout_worker_last_heartbeat_age_seconds")
                         .Help("Seconds since each known worker last called.")
                         .Register(r)) {}

void CoordinatorMetrics::CheckpointCall(size_t committed, size_t stale, absl::Duration took) {
  checkpoint_commits_.Increment(committed);
  if (stale > 0) stale_refusals_.Increment(stale);
  checkpoint_seconds_.Observe(absl::ToDoubleSeconds(took));
}

void CoordinatorMetrics::ReportsRefused(size_t stale) {
  if (stale > 0) stale_refusals_.Increment(stale);
}

void CoordinatorMetrics::LeaseTokensRefused(size_t refused) {
  if (refused > 0) token_refusals_.Increment(refused);
}

void CoordinatorMetrics::DiskWrite(uint64_t batches, absl::Duration took) {
  commit_batches_.Observe(batches);
  sync_seconds_.Observe(absl::ToDoubleSeconds(took));
}

void CoordinatorMetrics::Rpc(absl::string_view method, absl::Duration took) {
  prometheus::Histogram* series = nullptr;
  {
    absl::ReaderMutexLock lock(&rpc_mu_);  // the common case: a method seen before
    auto it = rpc_series_.find(method);
    if (it != rpc_series_.end()) series = it->second;
  }
  if (series == nullptr) {
    absl::MutexLock lock(&rpc_mu_);
    prometheus::Histogram*& slot = rpc_series_[method];
    if (slot == nullptr) {
      slot = &rpc_seconds_.Add({{"method", std::string(method)}}, LatencyBuckets());
    }
    series = slot;
  }
  series->Observe(absl::ToDoubleSeconds(took));
}

void CoordinatorMetrics::Refresh(const TaskTotals& totals, const std::vector<JobGauge>& jobs,
                                 const std::vector<v1::WorkerStatus>& workers, absl::Time now,
                                 absl::Duration workers_alive_within) {
  absl::MutexLock lock(&mu_);
  RefreshTotals(totals);
  RefreshJobs(jobs, now);
  RefreshWorkers(workers, now, workers_alive_within);
}

void CoordinatorMetrics::RefreshTotals(const TaskTotals& t) {
  TaskTotals& e = exported_;
  CatchUp(jobs_submitted_, t.jobs_submitted, e.jobs_submitted);
  CatchUp(dispatched_, t.dispatched, e.dispatched);
  CatchUp(succeeded_, t.succeeded, e.succeeded);
  CatchUp(failed_, t.failed, e.failed);
  CatchUp(dead_, t.dead, e.dead);
  CatchUp(cancelled_, t.cancelled, e.cancelled);
  CatchUp(continued_, t.continued, e.continued);
  CatchUp(retried_, t.retried, e.retried);
  CatchUp(lease_expiries_, t.lease_expiries, e.lease_expiries);
  CatchUp(invocations_, t.invocations, e.invocations);
  CatchUp(gb_seconds_, t.gb_seconds, e.gb_seconds);
}

CoordinatorMetrics::JobSeries& CoordinatorMetrics::SeriesFor(const JobGauge& job) {
  JobSeries& s = job_series_[job.job_id];
  if (s.backlog != nullptr) return s;
  const prometheus::Labels labels = {{"job_id", job.job_id}, {"function", job.function}};
  for (const char* state : kStates) {
    prometheus::Labels with_state = labels;
    with_state["state"] = state;
    s.by_state.push_back(&tasks_.Add(with_state));
  }
  s.backlog = &backlog_.Add(labels);
  s.oldest_pending = &oldest_pending_.Add(labels);
  return s;
}

void CoordinatorMetrics::RefreshJobs(const std::vector<JobGauge>& jobs, absl::Time now) {
  absl::flat_hash_map<std::string, int> by_state;
  absl::flat_hash_set<std::string> listed;
  for (const JobGauge& job : jobs) {
    listed.insert(job.job_id);
    ++by_state[std::string(JobStateName(job.state))];
    JobSeries& s = SeriesFor(job);
    for (size_t i = 0; i < s.by_state.size(); ++i) s.by_state[i]->Set(CountOf(job.counts, i));
    s.backlog->Set(job.state == v1::JOB_RUNNING ? job.counts.pending() : 0);
    s.oldest_pending->Set(
        job.oldest_pending_since
            ? std::max(0.0, absl::ToDoubleSeconds(now - *job.oldest_pending_since))
            : 0);
  }
  for (auto it = job_series_.begin(); it != job_series_.end();) {
    if (listed.contains(it->first)) {
      ++it;
      continue;
    }
    for (prometheus::Gauge* g : it->second.by_state) tasks_.Remove(g);
    backlog_.Remove(it->second.backlog);
    oldest_pending_.Remove(it->second.oldest_pending);
    job_series_.erase(it++);
  }
  for (const char* state : {"running", "succeeded", "failed", "cancelled"}) {
    jobs_.Add({{"state", state}}).Set(by_state[state]);
  }
}

void CoordinatorMetrics::RefreshWorkers(const std::vector<v1::WorkerStatus>& workers,
                                        absl::Time now, absl::Duration alive_within) {
  int alive = 0;
  absl::flat_hash_set<std::string> listed;
  for (const v1::WorkerStatus& w : workers) {
    const absl::Duration age = now - FromProto(w.last_seen());
    if (!w.gone() && age <= alive_within) ++alive;
    listed.insert(w.worker_id());
    prometheus::Gauge*& g = worker_series_[w.worker_id()];
    if (g == nullptr) g = &heartbeat_age_.Add({{"worker_id", w.worker_id()}});
    g->Set(std::max(0.0, absl::ToDoubleSeconds(age)));
  }
  for (auto it = worker_series_.begin(); it != worker_series_.end();) {
    if (listed.contains(it->first)) {
      ++it;
      continue;
    }
    heartbeat_age_.Remove(it->second);
    worker_series_.erase(it++);
  }
  workers_.Set(alive);
}

}  // namespace fanout::coordinator
