// The dashboard's JSON API, read-only, over the JobManager:
//   GET /api/jobs?limit=N             recent jobs with progress, rate, ETA and cost
//   GET /api/jobs/ID                  one job, its throughput over time and its failures
//   GET /api/jobs/ID/tasks?start=&limit=   a page of its tasks
//   GET /api/workers                  workers, their slots and last heartbeat
#ifndef FANOUT_COORDINATOR_DASHBOARD_DASHBOARD_API_H_
#define FANOUT_COORDINATOR_DASHBOARD_DASHBOARD_API_H_

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "common/http_server.h"
#include "coordinator/dashboard/throughput_history.h"
#include "coordinator/job_manager.h"
#include "nlohmann/json.hpp"

namespace fanout::coordinator {

// At most this many failures are listed per job, found among at most this many of its tasks.
inline constexpr size_t kMaxListedFailures = 100;
inline constexpr uint64_t kFailureScanTasks = 20'000;
inline constexpr size_t kCachedFailureLists = 1'000;

// Thread-safe. `manager`, `history` and `clock` outlive it.
class DashboardApi {
 public:
  DashboardApi(JobManager& manager, ThroughputHistory& history, Clock& clock)
      : manager_(manager), history_(history), clock_(clock) {}

  // Answers a path under /api/ (404 for anything else).
  HttpResponse Handle(const HttpRequest& request);

  // A job as the jobs list shows it.
  nlohmann::json JobSummary(const v1::Job& job);

 private:
  struct Failures {
    uint64_t failed_or_dead = 0;  // the job's count when they were gathered
    uint32_t redrives = 0;
    nlohmann::json list;
    bool truncated = false;
  };

  HttpResponse Jobs(const HttpRequest& request);
  HttpResponse Job(const std::string& job_id);
  HttpResponse Tasks(const std::string& job_id, const HttpRequest& request);
  HttpResponse Workers();
  // The job's failed and dead tasks, gathered again only when their count changed.
  Failures FailuresOf(const v1::Job& job);

  JobManager& manager_;
  ThroughputHistory& history_;
  Clock& clock_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Failures> failures_ ABSL_GUARDED_BY(mu_);
};

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_DASHBOARD_DASHBOARD_API_H_
