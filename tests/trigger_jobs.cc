#include "tests/trigger_jobs.h"

#include "absl/time/clock.h"
#include "nlohmann/json.hpp"

namespace fanout::testing {

JobsByItem TriggerJobs(TestCluster& cluster, const std::string& rule) {
  JobsByItem jobs;
  v1::ListJobsRequest request;
  request.set_page_size(1000);
  do {
    v1::ListJobsResponse response;
    grpc::ClientContext context;
    if (!cluster.jobs().ListJobs(&context, request, &response).ok()) return {};
    for (const v1::Job& job : response.jobs()) {
      auto label = job.spec().labels().find("trigger");
      if (label == job.spec().labels().end() || label->second != rule) continue;
      const nlohmann::json items = nlohmann::json::parse(job.spec().source(), nullptr, false);
      jobs[items.is_array() && items.size() == 1 ? items[0].dump() : job.spec().source()].push_back(
          job);
    }
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  return jobs;
}

JobsByItem WaitForTriggerJobs(TestCluster& cluster, const std::string& rule, size_t n,
                              absl::Duration timeout) {
  JobsByItem jobs;
  for (const absl::Time end = absl::Now() + timeout; absl::Now() < end;) {
    jobs = TriggerJobs(cluster, rule);
    bool ended = true;
    for (const auto& [item, list] : jobs) {
      for (const v1::Job& job : list) ended &= job.state() == v1::JOB_SUCCEEDED;
    }
    if (jobs.size() >= n && ended) break;
    absl::SleepFor(absl::Milliseconds(200));
  }
  return jobs;
}

}  // namespace fanout::testing
