// The commands on existing jobs: status, list, cancel, update, redrive, results, workers.
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "cli/client.h"
#include "cli/command_line.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/job_json.h"
#include "cli/progress_bar.h"
#include "common/json_text.h"
#include "common/metering.h"
#include "common/plural.h"
#include "common/proto_time.h"

namespace fanout::cli {
namespace {

using nlohmann::json;

// "2.345", or for small amounts the digits that make them non-zero ("0.000253", not "0.000").
std::string GbSeconds(double gb_s) {
  if (gb_s >= 1 || gb_s == 0) return absl::StrFormat("%.3f", gb_s);
  const std::string digits = Decimals(gb_s, 9);
  return digits == "0" ? "0.0" : digits;  // under a nano-GB-second
}

void PrintJob(const v1::Job& job) {
  const v1::TaskCounts& c = job.counts();
  const double done = DoneFraction(job);
  std::cout << absl::StrFormat(
      "%s  %s  %.1f%% done (%d of %s finished%s%s)\n", job.job_id(),
      JobToJson(job)["state"].get<std::string>(), 100 * done, FinishedTasks(c), Tasks(c.total()),
      c.cancelled() > 0 ? absl::StrCat(", ", c.cancelled(), " cancelled") : "",
      !job.split_done() ? "; the source is still being read"
      : c.total() == 0  ? "; the source had no items"
                        : "");
  std::cout << absl::StrFormat(
      "  pending %d%s  succeeded %d  failed %d  dead %d  cancelled %d  total %d\n", c.pending(),
      c.running() > 0 ? RunningText(c) : "  running 0", c.succeeded(), c.failed(), c.dead(),
      c.cancelled(), c.total());
  std::cout << "  function " << job.spec().function() << "  created "
            << FormatTimestamp(job.created_at());
  const uint32_t cap =
      job.has_max_concurrency() ? job.max_concurrency() : job.spec().options().max_concurrency();
  if (cap > 0) std::cout << "  max concurrency " << cap;
  if (job.has_finished_at()) std::cout << "  finished " << FormatTimestamp(job.finished_at());
  std::cout << "\n";
  if (!job.message().empty()) std::cout << "  " << job.message() << "\n";
  if (job.usage().requests() > 0) {
    const LambdaCost cost = PriceOnLambda(job.usage().requests(), job.usage().gb_seconds(),
                                          LambdaPrices(), /*free_tier=*/false);
    std::cout << absl::StrFormat("  usage %s, %s GB-s (on Lambda: $%s; fanout cost %s)\n",
                                 Counted(job.usage().requests(), "request"),
                                 GbSeconds(job.usage().gb_seconds()),
                                 Money(cost.total, cost.exact_total), job.job_id());
  }
  std::cout << FanInText(job.fan_in());
}

void Show(const v1::Job& job) {
  if (absl::GetFlag(FLAGS_json)) {
    std::cout << DumpJson(JobToJson(job)) << "\n";
  } else {
    PrintJob(job);
  }
}

}  // namespace

int StatusCommand(const std::string& job_id) {
  Client client = Connect();
  v1::Job job;
  grpc::Status status = GetJob(client, job_id, &job);
  if (!status.ok()) return Fail(client, status);
  Show(job);
  return kExitOk;
}

int ListCommand() {
  Client client = Connect();
  v1::ListJobsRequest request;
  if (absl::GetFlag(FLAGS_limit) < 1) {
    return Fail(absl::InvalidArgumentError(
        absl::StrCat("list: --limit=", absl::GetFlag(FLAGS_limit), " is not a positive count")));
  }
  request.set_page_size(absl::GetFlag(FLAGS_limit));
  v1::ListJobsResponse response;
  grpc::Status status = client.jobs->ListJobs(CallContext().get(), request, &response);
  if (!status.ok()) return Fail(client, status);
  if (absl::GetFlag(FLAGS_json)) {
    json jobs = json::array();
    for (const v1::Job& job : response.jobs()) jobs.push_back(JobToJson(job));
    std::cout << DumpJson(jobs) << "\n";
    return kExitOk;
  }
  // DONE: tasks that ran to an end (a cancelled one did nothing).
  std::cout << absl::StrFormat("%-12s %-10s %8s %10s %8s  %-16s %s\n", "JOB", "STATE", "DONE",
                               "TOTAL", "FAILED", "FUNCTION", "CREATED");
  for (const v1::Job& job : response.jobs()) {
    const v1::TaskCounts& c = job.counts();
    std::cout << absl::StrFormat("%-12s %-10s %8d %10d %8d  %-16s %s\n", job.job_id(),
                                 JobToJson(job)["state"].get<std::string>(), FinishedTasks(c),
                                 c.total(), c.failed() + c.dead(), job.spec().function(),
                                 FormatTimestamp(job.created_at()));
  }
  return kExitOk;
}

int CancelCommand(const std::string& job_id) {
  Client client = Connect();
  v1::CancelJobRequest request;
  request.set_job_id(job_id);
  v1::Job job;
  grpc::Status status = client.jobs->CancelJob(CallContext().get(), request, &job);
  if (!status.ok()) return Fail(client, status);
  // Cancelling is idempotent (exit 0: the job is not running either way), but a job that ended
  // otherwise was not cancelled, and saying nothing would suggest it was.
  if (job.state() == v1::JOB_SUCCEEDED || job.state() == v1::JOB_FAILED) {
    std::cerr << "fanout: " << job_id << " had already ended ("
              << JobToJson(job)["state"].get<std::string>() << "): nothing to cancel\n";
  }
  Show(job);
  return kExitOk;
}

int UpdateCommand(const std::string& job_id) {
  int max_concurrency = absl::GetFlag(FLAGS_max_concurrency);
  if (max_concurrency < 0 && FlagGiven("max_concurrency")) {
    return Fail(absl::InvalidArgumentError(
        absl::StrCat("update: --max_concurrency=", max_concurrency, " is negative (0: no limit)")));
  }
  if (!FlagGiven("max_concurrency")) {
    return Fail(
        absl::InvalidArgumentError("update: --max_concurrency=N is required (0: no limit)"));
  }
  Client client = Connect();
  v1::UpdateJobRequest request;
  request.set_job_id(job_id);
  request.set_max_concurrency(max_concurrency);
  v1::Job job;
  grpc::Status status = client.jobs->UpdateJob(CallContext().get(), request, &job);
  if (!status.ok()) return Fail(client, status);
  Show(job);
  return kExitOk;
}

int RedriveCommand(const std::string& job_id) {
  Client client = Connect();
  v1::RedriveJobRequest request;
  request.set_job_id(job_id);
  request.set_from_scratch(absl::GetFlag(FLAGS_from_scratch));
  v1::RedriveJobResponse response;
  grpc::Status status = client.jobs->RedriveJob(CallContext().get(), request, &response);
  if (!status.ok()) return Fail(client, status);
  if (absl::GetFlag(FLAGS_json)) {
    nlohmann::json out = JobToJson(response.job());
    out["redriven"] = response.redriven();
    std::cout << DumpJson(out) << "\n";
  } else {
    std::cout << "redriven " << Tasks(response.redriven()) << " of " << job_id << "\n";
    PrintJob(response.job());
  }
  return kExitOk;
}

int ResultsCommand(const std::string& job_id) {
  Client client = Connect();
  v1::GetResultsRequest request;
  request.set_job_id(job_id);
  do {
    v1::GetResultsResponse response;
    grpc::Status status = client.jobs->GetResults(CallContext().get(), request, &response);
    if (!status.ok()) return Fail(client, status);
    for (const v1::ItemResult& r : response.results()) {
      std::cout << DumpJson(ItemResultToJson(r)) << "\n";
    }
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  std::cout << std::flush;
  return kExitOk;
}

int WorkersCommand() {
  Client client = Connect();
  v1::ListWorkersResponse response;
  grpc::Status status =
      client.jobs->ListWorkers(CallContext().get(), v1::ListWorkersRequest(), &response);
  if (!status.ok()) return Fail(client, status);
  if (absl::GetFlag(FLAGS_json)) {
    json workers = json::array();
    for (const v1::WorkerStatus& w : response.workers()) workers.push_back(WorkerToJson(w));
    std::cout << DumpJson(workers) << "\n";
    return kExitOk;
  }
  std::cout << absl::StrFormat("%-36s %-16s %-5s %5s %5s %7s  %s\n", "WORKER", "HOST", "STATE",
                               "SLOTS", "BUSY", "LEASES", "LAST SEEN");
  const absl::Time now = absl::Now();
  int live = 0, slots = 0, busy = 0, gone = 0;
  for (const v1::WorkerStatus& w : response.workers()) {
    const int64_t ago = absl::ToInt64Seconds(now - FromProto(w.last_seen()));
    std::cout << absl::StrFormat("%-36s %-16s %-5s %5d %5d %7d  %ds ago\n", w.worker_id(), w.host(),
                                 w.gone() ? "gone" : "live", w.slots(), w.busy(), w.leases(), ago);
    if (w.gone()) {
      ++gone;
      continue;
    }
    ++live, slots += w.slots(), busy += w.busy();
  }
  // Totals of the live workers only: a gone one runs nothing (the dashboard and
  // fanout_workers count the same way).
  std::cout << absl::StrFormat("%s, %d of %d slots busy", Counted(live, "live worker"), busy,
                               slots);
  if (gone > 0)
    std::cout << absl::StrFormat("; %d gone (stopped or silent past the lease TTL)", gone);
  std::cout << "\n";
  return kExitOk;
}

}  // namespace fanout::cli
