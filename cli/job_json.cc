#include "cli/job_json.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "cli/progress_bar.h"
#include "common/errors.h"
#include "common/json_text.h"
#include "common/metering.h"
#include "common/proto_time.h"

namespace fanout::cli {

using nlohmann::json;

json JsonOrString(const std::string& text) {
  absl::StatusOr<json> value = ParseJson(text, "value");
  return value.ok() ? *std::move(value) : json(text);
}

std::string FormatTimestamp(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return "";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", FromProto(t), absl::UTCTimeZone());
}

std::string Decimals(double value, int most) {
  std::string s = absl::StrFormat("%.*f", most, value);
  if (s.find('.') == std::string::npos) return s;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

std::string Money(double rounded, double exact) {
  if (rounded >= 0.01 || exact <= 0) return absl::StrFormat("%.2f", rounded);
  const std::string digits = Decimals(exact, 9);
  return digits == "0" ? "0.00" : digits;  // under a nano-dollar
}

json JobToJson(const v1::Job& job) {
  const v1::TaskCounts& c = job.counts();
  return json{
      {"job_id", job.job_id()},
      {"state", std::string(JobStateName(job.state()))},
      {"pending", c.pending()},
      {"running", HandlersRunning(c)},  // handlers running now
      {"leased", c.running()},          // ... and the tasks queued at workers to start next
      {"succeeded", c.succeeded()},
      {"failed", c.failed()},
      {"dead", c.dead()},
      {"cancelled", c.cancelled()},
      {"total", c.total()},
      {"items", job.items_total()},
      {"progress", DoneFraction(job)},
      {"redrives", job.redrives()},
      {"max_concurrency",
       job.has_max_concurrency() ? job.max_concurrency() : job.spec().options().max_concurrency()},
      {"listing_done", job.split_done()},
      {"function", job.spec().function()},
      {"source", job.spec().source()},
      {"params", JsonOrString(job.spec().params_json())},
      {"idempotency_key", job.spec().idempotency_key()},
      {"labels", json(std::map<std::string, std::string>(job.spec().labels().begin(),
                                                         job.spec().labels().end()))},
      {"created_at", FormatTimestamp(job.created_at())},
      {"finished_at", FormatTimestamp(job.finished_at())},
      {"message", job.message()},
      {"usage", json{{"requests", job.usage().requests()},
                     {"billed_seconds", job.usage().billed_ms() / 1000.0},
                     {"gb_seconds", job.usage().gb_seconds()},
                     {"memory_mb", MemoryMb(job.spec().options())}}},
      {"fan_in", FanInToJson(job.fan_in())}};
}

json FanInToJson(const v1::FanIn& f) {
  static constexpr const char* kStates[] = {"none", "pending", "written", "failed"};
  if (f.state() == v1::FanIn::FAN_IN_NONE) return nullptr;
  return json{
      {"state", kStates[f.state() & 3]},
      {"manifest", f.manifest()},
      {"result_files", std::vector<std::string>(f.result_files().begin(), f.result_files().end())},
      {"failed_files", std::vector<std::string>(f.failed_files().begin(), f.failed_files().end())},
      {"result_items", f.result_items()},
      {"failed_items", f.failed_items()},
      {"error", f.error()},
      {"reduce_job_id", f.reduce_job_id()}};
}

std::string FanInText(const v1::FanIn& f) {
  switch (f.state()) {
    case v1::FanIn::FAN_IN_PENDING:
      return "  manifests: being written\n";
    case v1::FanIn::FAN_IN_FAILED:
      return absl::StrCat("  manifests NOT written: ", f.error(), "\n");
    case v1::FanIn::FAN_IN_WRITTEN:
      return absl::StrCat("  manifest ", f.manifest(), " (", f.result_items(), " results, ",
                          f.failed_items(), " failed items)\n",
                          f.reduce_job_id().empty() ? "" : "  reduce " + f.reduce_job_id() + "\n");
    default:
      return "";
  }
}

json ErrorToJson(const v1::TaskError& e) {
  return json{{"code", std::string(ErrorCodeName(e.code()))},
              {"grpc", std::string(GrpcCodeName(e.code()))},
              {"http", ToHttpStatus(e.code())},
              {"message", e.message()}};
}

json ItemResultToJson(const v1::ItemResult& r) {
  json out{{"item", JsonOrString(r.item())},
           {"state", std::string(TaskStateName(r.state()))},
           {"attempts", r.attempts()}};
  if (r.state() == v1::TASK_SUCCEEDED) {
    out["result"] = JsonOrString(r.result());
  } else if (r.has_error()) {
    out["error"] = ErrorToJson(r.error());
  }
  return out;
}

json WorkerToJson(const v1::WorkerStatus& w) {
  return json{{"worker_id", w.worker_id()},
              {"host", w.host()},
              {"slots", w.slots()},
              {"busy", w.busy()},
              {"leases", w.leases()},
              {"gone", w.gone()},
              {"last_seen", FormatTimestamp(w.last_seen())},
              {"started_at", FormatTimestamp(w.started_at())}};
}

}  // namespace fanout::cli
