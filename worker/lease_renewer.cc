#include "worker/lease_renewer.h"

#include <algorithm>

#include "absl/time/time.h"
#include "common/grpc_status.h"
#include "glog/logging.h"

namespace fanout::worker {

LeaseRenewer::LeaseRenewer(v1::WorkerService::StubInterface& stub, LeaseBook& book,
                           DescribeWorker describe)
    : stub_(stub),
      book_(book),
      describe_(std::move(describe)),
      thread_([this] { Run(); }),
      fencer_([this] { Fence(); }) {}

LeaseRenewer::~LeaseRenewer() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  thread_.join();
  fencer_.join();
}

absl::Duration LeaseRenewer::ttl() {
  absl::MutexLock lock(&mu_);
  return ttl_;
}

size_t LeaseRenewer::FenceOnce() {
  const int64_t ttl_ns = absl::ToInt64Nanoseconds(ttl());
  const LeaseBook::Fenced fenced = book_.FenceUnconfirmed(SteadyNowNs() - ttl_ns);
  if (fenced.leases > 0) {
    fenced_.fetch_add(fenced.leases);
    LOG(WARNING) << "self-fencing: stopped " << fenced.leases << " leases (" << fenced.running
                 << " running) not renewed within the lease TTL (" << absl::Nanoseconds(ttl_ns)
                 << "); the coordinator may have given them to another worker";
  }
  return fenced.leases;
}

void LeaseRenewer::Fence() {
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_; };
      // Checked often and apart from the renewals, which may hang on a dead network path: a
      // handler outlives its lease by at most this much plus its own reaction to the flag.
      if (mu_.AwaitWithTimeout(absl::Condition(&stopping), absl::Milliseconds(50))) return;
    }
    FenceOnce();
  }
}

void LeaseRenewer::set_lease_ttl(absl::Duration ttl) {
  absl::MutexLock lock(&mu_);
  if (ttl > absl::ZeroDuration()) ttl_ = ttl;
}

size_t LeaseRenewer::RenewOnce(bool all) {
  std::vector<LeaseBook::Held> leases = book_.Snapshot(/*running_only=*/!all);
  v1::RenewLeasesRequest request;
  v1::WorkerInfo* worker = request.mutable_worker();
  describe_(worker);
  for (LeaseBook::Held& lease : leases) {
    // Whether its handler started or it waits in the queue: the coordinator meters by it.
    request.add_started(lease.started);
    // What runs, by job: the coordinator samples it from renewals, sent on a timer.
    if (lease.running) ++(*worker->mutable_running_by_job())[lease.ref.job_id()];
    *request.add_leases() = std::move(lease.ref);
  }
  v1::RenewLeasesResponse response;
  grpc::ClientContext context;
  // A renewal stuck on a dead path must give way to the next try while the leases still live, but
  // one answered slowly still confirms them (from when it was sent): fencing runs apart from it.
  context.set_deadline(std::chrono::system_clock::now() +
                       absl::ToChronoMilliseconds(
                           std::clamp(ttl() * 2 / 3, absl::Milliseconds(500), absl::Seconds(10))));
  const int64_t sent_ns = SteadyNowNs();
  grpc::Status status = stub_.RenewLeases(&context, request, &response);
  if (!status.ok()) {
    LOG(WARNING) << "renewing " << request.leases_size()
                 << " leases failed: " << FromGrpcStatus(status);
    return 0;
  }
  set_lease_ttl(absl::Seconds(response.lease_ttl().seconds()) +
                absl::Nanoseconds(response.lease_ttl().nanos()));
  size_t stopped = 0;
  std::vector<v1::TaskRef> confirmed;
  confirmed.reserve(request.leases_size());
  for (int i = 0; i < response.statuses_size() && i < request.leases_size(); ++i) {
    if (response.statuses(i) == v1::LEASE_OK) {
      confirmed.push_back(request.leases(i));
    } else if (book_.Cancel(request.leases(i))) {
      ++stopped;
    }
  }
  book_.Confirm(confirmed, sent_ns);
  return stopped;
}

void LeaseRenewer::Run() {
  absl::Time last_full = absl::InfinitePast();
  while (true) {
    absl::Duration full_every;
    {
      absl::MutexLock lock(&mu_);
      auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_; };
      // Every lease each third of the TTL (at most a second apart), which leaves two more tries
      // before one could expire, and lets queued tasks of a cancelled job leave the queue within a
      // second instead of holding slots; those of running tasks every 500 ms, so that a cancelled
      // job's handlers hear of it within a second (renewals are cheap: nothing is written). The
      // call also keeps an idle worker listed.
      full_every = std::min(ttl_ / 3, absl::Seconds(1));
      if (mu_.AwaitWithTimeout(absl::Condition(&stopping),
                               std::min(full_every, absl::Milliseconds(500)))) {
        return;
      }
    }
    const bool all = absl::Now() - last_full >= full_every;
    if (all) last_full = absl::Now();
    RenewOnce(all);
  }
}

}  // namespace fanout::worker
