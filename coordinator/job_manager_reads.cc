// JobManager's reads: jobs (with what their workers say runs), tasks, results and workers, paged.
#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/utf8.h"
#include "coordinator/job_manager.h"
#include "coordinator/results_view.h"

namespace fanout::coordinator {
namespace {

absl::StatusOr<uint64_t> ParsePageToken(absl::string_view token) {
  uint64_t value = 0;
  if (token.empty()) return 0;
  if (!absl::SimpleAtoi(token, &value)) {
    return absl::InvalidArgumentError(absl::StrCat("page_token: '", token, "' is not ours"));
  }
  return value;
}

size_t PageSize(uint32_t asked, size_t fallback, size_t max) {
  return asked == 0 ? fallback : std::min<size_t>(asked, max);
}

// A page of tasks ends early once it holds kBatchBytes (at least one task): big results must not
// make a page that no response can carry. Returns the next page's token ("" when `tasks` was the
// last page), and drops the tasks past the cut.
std::string CutPage(std::vector<v1::Task>* tasks, size_t limit) {
  size_t bytes = 0;
  for (size_t i = 0; i < tasks->size(); ++i) {
    bytes += (*tasks)[i].ByteSizeLong();
    if (i > 0 && bytes > kBatchBytes) {
      const uint64_t next = (*tasks)[i].index();
      tasks->resize(i);
      return absl::StrCat(next);
    }
  }
  return tasks->size() == limit && !tasks->empty() ? absl::StrCat(tasks->back().index() + 1) : "";
}

// Of the job's leased tasks, those whose handler runs: as the workers said, never more than the
// store's leases (a worker's word may be older than a report that ended the task).
void SetHandlersRunning(uint64_t said, v1::Job* job) {
  v1::TaskCounts* c = job->mutable_counts();
  c->set_handlers_running(std::min(said, c->running()));
}

}  // namespace

void JobManager::FillHandlersRunning(v1::Job* job) {
  SetHandlersRunning(job->counts().running() == 0
                         ? 0
                         : workers_.RunningOf(job->job_id(), clock_.Now(), options_.lease_ttl),
                     job);
}

absl::StatusOr<v1::Job> JobManager::GetJob(absl::string_view job_id) {
  ASSIGN_OR_RETURN(v1::Job job, store_.GetJob(job_id));
  FillHandlersRunning(&job);
  return job;
}

void SummarizeSource(v1::Job* job) {
  std::string* source = job->mutable_spec()->mutable_source();
  if (source->size() <= kSummarySourceBytes) return;
  const size_t total = source->size();
  TruncateUtf8(source, kSummarySourceBytes);
  absl::StrAppend(source, "... (", total, " bytes; fanout status shows all)");
}

absl::StatusOr<v1::Job> JobManager::GetJobSummary(absl::string_view job_id) {
  ASSIGN_OR_RETURN(v1::Job job, store_.GetJob(job_id));
  SummarizeSource(&job);
  FillHandlersRunning(&job);
  return job;
}

absl::StatusOr<v1::ListJobsResponse> JobManager::ListJobs(const v1::ListJobsRequest& request) {
  ASSIGN_OR_RETURN(uint64_t before, ParsePageToken(request.page_token()));
  const size_t limit = PageSize(request.page_size(), 100, 1000);
  v1::ListJobsResponse response;
  std::vector<v1::Job> jobs = store_.ListJobs(before, limit);
  const absl::flat_hash_map<std::string, uint64_t> running =
      workers_.RunningByJob(clock_.Now(), options_.lease_ttl);
  for (v1::Job& job : jobs) {
    SummarizeSource(&job);
    auto said = running.find(job.job_id());
    SetHandlersRunning(said == running.end() ? 0 : said->second, &job);
    *response.add_jobs() = std::move(job);
  }
  if (jobs.size() == limit) {
    const std::optional<uint64_t> last = SeqFromJobId(response.jobs(limit - 1).job_id());
    if (last && *last > 1) response.set_next_page_token(absl::StrCat(*last));
  }
  return response;
}

absl::StatusOr<v1::ListTasksResponse> JobManager::ListTasks(const v1::ListTasksRequest& request) {
  ASSIGN_OR_RETURN(uint64_t start, ParsePageToken(request.page_token()));
  const size_t limit = PageSize(request.page_size(), 1000, 10000);
  ASSIGN_OR_RETURN(std::vector<v1::Task> tasks, store_.ListTasks(request.job_id(), start, limit));
  v1::ListTasksResponse response;
  response.set_next_page_token(CutPage(&tasks, limit));
  for (v1::Task& task : tasks) *response.add_tasks() = std::move(task);
  return response;
}

absl::StatusOr<v1::GetResultsResponse> JobManager::GetResults(
    const v1::GetResultsRequest& request) {
  ASSIGN_OR_RETURN(uint64_t start, ParsePageToken(request.page_token()));
  const size_t limit = PageSize(request.page_size(), 1000, 10000);
  ASSIGN_OR_RETURN(std::vector<v1::Task> tasks, store_.ListTasks(request.job_id(), start, limit));
  v1::GetResultsResponse response;
  response.set_next_page_token(CutPage(&tasks, limit));
  for (const v1::Task& task : tasks) AppendItemResults(task, &response);
  return response;
}

v1::ListWorkersResponse JobManager::ListWorkers() {
  v1::ListWorkersResponse response;
  for (v1::WorkerStatus& w : workers_.List(clock_.Now(), options_.lease_ttl)) {
    *response.add_workers() = std::move(w);
  }
  return response;
}

}  // namespace fanout::coordinator
