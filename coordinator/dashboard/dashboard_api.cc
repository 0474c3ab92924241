#include "coordinator/dashboard/dashboard_api.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/metering.h"
#include "common/proto_time.h"
#include "common/task_counts.h"
#include "common/utf8.h"

namespace fanout::coordinator {
namespace {

using nlohmann::json;

json Timestamp(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return nullptr;
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", FromProto(t), absl::UTCTimeZone());
}

std::string Now(absl::Time now) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", now, absl::UTCTimeZone());
}

std::string Upper(const std::string& enum_name, absl::string_view prefix) {
  return std::string(absl::StripPrefix(enum_name, prefix));
}

// Invalid UTF-8 (from an item, a path, a message) is replaced, never thrown about.
HttpResponse Reply(int status, const json& body) {
  return {status, "application/json", body.dump(-1, ' ', false, json::error_handler_t::replace)};
}

HttpResponse Error(int status, const std::string& why) { return Reply(status, {{"error", why}}); }

uint64_t Param(const HttpRequest& r, const std::string& name, uint64_t fallback, uint64_t max) {
  uint64_t v = 0;
  if (!absl::SimpleAtoi(QueryParam(r.query, name), &v)) return fallback;
  return std::min(v, max);
}

json Counts(const v1::TaskCounts& c) {
  // "running": handlers running now (as the workers say); "leased": those and the tasks queued
  // at workers to start next.
  return {{"pending", c.pending()},     {"running", c.handlers_running()},
          {"leased", c.running()},      {"succeeded", c.succeeded()},
          {"failed", c.failed()},       {"dead", c.dead()},
          {"cancelled", c.cancelled()}, {"total", c.total()}};
}

json ErrorJson(const v1::TaskError& e) {
  if (e.code() == v1::ERROR_CODE_UNSPECIFIED && e.message().empty()) return nullptr;
  return {{"code", v1::ErrorCode_Name(e.code())}, {"message", e.message()}};
}

// The first item of a task, cut for a table cell.
std::string Preview(const v1::Task& task) {
  if (task.items_size() == 0) return "";
  std::string s = task.items(0);
  if (s.size() > 120) {
    TruncateUtf8(&s, 117);
    s += "...";
  }
  return s;
}

}  // namespace

json DashboardApi::JobSummary(const v1::Job& job) {
  double rate = 0;
  if (job.state() == v1::JOB_RUNNING) {
    rate = history_.Rate(job.job_id());
    // Until the sampler has two samples of a new job: its average since it was created.
    const double age = absl::ToDoubleSeconds(clock_.Now() - FromProto(job.created_at()));
    if (rate == 0 && age >= 1) rate = FinishedTasks(job.counts()) / age;
  }
  const bool total_known = !job.sequential() || job.split_done();
  const uint64_t left =
      job.counts().total() - std::min(job.counts().total(), EndedTasks(job.counts()));
  json eta = nullptr;
  if (job.state() == v1::JOB_RUNNING && total_known && rate > 0) eta = left / rate;
  const LambdaCost cost =
      PriceOnLambda(job.usage().requests(), job.usage().gb_seconds(), LambdaPrices(), false);
  return {{"job_id", job.job_id()},
          {"function", job.spec().function()},
          {"source", job.spec().source()},
          {"state", Upper(v1::JobState_Name(job.state()), "JOB_")},
          {"created_at", Timestamp(job.created_at())},
          {"finished_at", Timestamp(job.finished_at())},
          // Once tasks were cancelled, only what finished (as the CLI says): they did nothing.
          {"progress", DoneFraction(job)},
          {"counts", Counts(job.counts())},
          {"total_known", total_known},
          {"items_total", job.items_total()},
          {"rate", rate},
          {"eta_seconds", eta},
          {"message", job.message()},
          {"labels", std::map<std::string, std::string>(job.spec().labels().begin(),
                                                        job.spec().labels().end())},
          {"usage",
           {{"requests", job.usage().requests()},
            {"gb_seconds", job.usage().gb_seconds()},
            {"cost_usd", cost.exact_total}}}};
}

HttpResponse DashboardApi::Handle(const HttpRequest& request) {
  absl::string_view path = request.path;
  if (path == "/api/jobs") return Jobs(request);
  if (path == "/api/workers") return Workers();
  if (absl::ConsumePrefix(&path, "/api/jobs/")) {
    if (absl::ConsumeSuffix(&path, "/tasks")) return Tasks(std::string(path), request);
    if (!path.empty() && !absl::StrContains(path, '/')) return Job(std::string(path));
  }
  return Error(404, absl::StrCat("no such API: ", request.path));
}

HttpResponse DashboardApi::Jobs(const HttpRequest& request) {
  v1::ListJobsRequest list;
  list.set_page_size(Param(request, "limit", 100, 1000));
  absl::StatusOr<v1::ListJobsResponse> jobs = manager_.ListJobs(list);
  if (!jobs.ok()) return Error(503, std::string(jobs.status().message()));
  json out = json::array();
  for (const v1::Job& job : jobs->jobs()) out.push_back(JobSummary(job));
  return Reply(200, {{"now", Now(clock_.Now())}, {"jobs", std::move(out)}});
}

HttpResponse DashboardApi::Job(const std::string& job_id) {
  absl::StatusOr<v1::Job> job = manager_.GetJobSummary(job_id);
  if (!job.ok()) {
    const int status = job.status().code() == absl::StatusCode::kNotFound ? 404 : 503;
    return Error(status, std::string(job.status().message()));
  }
  json j = JobSummary(*job);
  const v1::JobOptions& o = job->spec().options();
  j["params_json"] = job->spec().params_json();
  j["options"] = {
      {"batch_size", std::max<uint32_t>(1, o.batch_size())},
      {"max_attempts", o.max_attempts() == 0 ? 3 : o.max_attempts()},
      {"timeout_seconds", o.has_timeout() ? absl::ToDoubleSeconds(FromProto(o.timeout()))
                                          : absl::ToDoubleSeconds(kDefaultTimeout)},
      {"max_concurrency",
       job->has_max_concurrency() ? job->max_concurrency() : o.max_concurrency()},
      {"memory_mb", MemoryMb(o)}};
  j["results"] = job->spec().results();
  j["reduce"] = job->spec().reduce();
  j["fan_in"] = {{"state", Upper(v1::FanIn::State_Name(job->fan_in().state()), "FAN_IN_")},
                 {"manifest", job->fan_in().manifest()},
                 {"error", job->fan_in().error()}};
  json series = json::array();
  for (const ThroughputSample& s : history_.Series(job_id)) {
    series.push_back({{"t", absl::ToDoubleSeconds(s.at - absl::UnixEpoch())},
                      {"finished", s.finished},
                      {"rate", s.rate}});
  }
  Failures failures = FailuresOf(*job);
  return Reply(200, {{"job", std::move(j)},
                     {"throughput", std::move(series)},
                     {"failures", std::move(failures.list)},
                     {"failures_truncated", failures.truncated}});
}

DashboardApi::Failures DashboardApi::FailuresOf(const v1::Job& job) {
  const uint64_t count = job.counts().failed() + job.counts().dead();
  {
    absl::MutexLock lock(&mu_);
    auto it = failures_.find(job.job_id());
    if (it != failures_.end() && it->second.failed_or_dead == count &&
        it->second.redrives == job.redrives()) {
      return it->second;
    }
  }
  Failures found{count, job.redrives(), json::array(), false};
  uint64_t scanned = 0;
  v1::ListTasksRequest page;
  page.set_job_id(job.job_id());
  page.set_page_size(1000);
  while (count > 0 && found.list.size() < count) {
    absl::StatusOr<v1::ListTasksResponse> tasks = manager_.ListTasks(page);
    if (!tasks.ok()) break;
    for (const v1::Task& t : tasks->tasks()) {
      if (t.state() != v1::TASK_FAILED && t.state() != v1::TASK_DEAD) continue;
      found.list.push_back({{"task", t.index()},
                            {"item", t.items_size() > 0 ? t.items(0) : ""},
                            {"items", t.items_size()},
                            {"state", Upper(v1::TaskState_Name(t.state()), "TASK_")},
                            {"code", v1::ErrorCode_Name(t.error().code())},
                            {"message", t.error().message()},
                            {"attempts", t.attempt()}});
      if (found.list.size() == kMaxListedFailures) break;
    }
    scanned += tasks->tasks_size();
    if (found.list.size() == kMaxListedFailures || tasks->next_page_token().empty()) break;
    if (scanned >= kFailureScanTasks) break;
    page.set_page_token(tasks->next_page_token());
  }
  found.truncated = found.list.size() < count;
  absl::MutexLock lock(&mu_);
  if (failures_.size() >= kCachedFailureLists) failures_.clear();  // a bound, not an LRU
  failures_[job.job_id()] = found;
  return found;
}

namespace {

std::string LastLogs(const v1::Task& task) {
  for (int i = task.attempts_size() - 1; i >= 0; --i) {
    if (!task.attempts(i).logs().empty()) return task.attempts(i).logs();
  }
  return "";
}

}  // namespace

HttpResponse DashboardApi::Tasks(const std::string& job_id, const HttpRequest& request) {
  absl::StatusOr<v1::Job> job = manager_.GetJobSummary(job_id);
  if (!job.ok()) {
    const int status = job.status().code() == absl::StatusCode::kNotFound ? 404 : 503;
    return Error(status, std::string(job.status().message()));
  }
  const uint64_t start = Param(request, "start", 0, UINT64_MAX);
  v1::ListTasksRequest page;
  page.set_job_id(job_id);
  page.set_page_size(std::max<uint64_t>(1, Param(request, "limit", 100, 1000)));
  page.set_page_token(absl::StrCat(start));
  absl::StatusOr<v1::ListTasksResponse> tasks = manager_.ListTasks(page);
  if (!tasks.ok()) return Error(400, std::string(tasks.status().message()));
  json out = json::array();
  for (const v1::Task& t : tasks->tasks()) {
    out.push_back(
        {{"index", t.index()},
         {"state", Upper(v1::TaskState_Name(t.state()), "TASK_")},
         {"attempt", t.attempt()},
         {"progress", t.progress()},
         {"worker_id", t.worker_id()},
         {"continuations", t.continuations()},
         {"items", t.items_size()},
         {"item_preview", Preview(t)},
         // What a user's function printed in the latest attempt that printed anything.
         {"logs", LastLogs(t)},
         {"error", t.state() == v1::TASK_SUCCEEDED ? json(nullptr) : ErrorJson(t.error())}});
  }
  json next = nullptr;
  uint64_t next_start = 0;
  // A full last page still carries a token: no "next" past the last task.
  if (absl::SimpleAtoi(tasks->next_page_token(), &next_start) &&
      next_start < job->counts().total()) {
    next = next_start;
  }
  return Reply(200, {{"total", job->counts().total()}, {"next_start", next}, {"tasks", out}});
}

HttpResponse DashboardApi::Workers() {
  const absl::Time now = clock_.Now();
  json out = json::array();
  const v1::ListWorkersResponse workers = manager_.ListWorkers();
  for (const v1::WorkerStatus& w : workers.workers()) {
    out.push_back({{"worker_id", w.worker_id()},
                   {"host", w.host()},
                   {"slots", w.slots()},
                   {"busy", w.busy()},
                   {"leases", w.leases()},
                   {"gone", w.gone()},
                   {"started_at", Timestamp(w.started_at())},
                   {"last_seen", Timestamp(w.last_seen())},
                   {"seconds_since_seen",
                    w.has_last_seen()
                        ? json(std::max(0.0, absl::ToDoubleSeconds(now - FromProto(w.last_seen()))))
                        : json(nullptr)}});
  }
  return Reply(200, {{"now", Now(now)}, {"workers", std::move(out)}});
}

}  // namespace fanout::coordinator
