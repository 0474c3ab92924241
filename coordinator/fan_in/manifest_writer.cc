#include "coordinator/fan_in/manifest_writer.h"

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/json_text.h"
#include "common/proto_time.h"
#include "common/status_macros.h"
#include "nlohmann/json.hpp"

namespace fanout::coordinator {
namespace {

using nlohmann::json;

constexpr size_t kPage = 1000;

// Items and results are JSON already, except the raw text of a malformed source line.
std::string JsonValue(const std::string& s) {
  if (s.empty()) return "null";
  return IsJsonText(s) ? s : DumpJson(json(s));
}

absl::Status WriteTask(const v1::Task& task, ManifestSink& sink, v1::FanIn* fan_in) {
  const bool succeeded = task.state() == v1::TASK_SUCCEEDED;
  for (int i = 0; i < task.items_size(); ++i) {
    std::string line = absl::StrCat(R"({"item":)", JsonValue(task.items(i)));
    if (succeeded) {
      const std::string result = i < task.results_size() ? JsonValue(task.results(i)) : "null";
      absl::StrAppend(&line, R"(,"result":)", result, R"(,"task":)", task.index(), "}");
      RETURN_IF_ERROR(sink.Write(ManifestSink::kResults, line));
      fan_in->set_result_items(fan_in->result_items() + 1);
      continue;
    }
    absl::StrAppend(&line, R"(,"state":")", TaskStateName(task.state()), R"(","code":")",
                    ErrorCodeName(task.error().code()), R"(","message":)",
                    DumpJson(json(task.error().message())), R"(,"attempts":)", task.attempt(),
                    R"(,"task":)", task.index(), "}");
    RETURN_IF_ERROR(sink.Write(ManifestSink::kFailed, line));
    fan_in->set_failed_items(fan_in->failed_items() + 1);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::FanIn> WriteManifests(JobStore& store, const v1::Job& job, ManifestSink& sink) {
  v1::FanIn fan_in;
  for (uint64_t start = 0;; start += kPage) {
    ASSIGN_OR_RETURN(std::vector<v1::Task> tasks, store.ListTasks(job.job_id(), start, kPage));
    for (const v1::Task& task : tasks) RETURN_IF_ERROR(WriteTask(task, sink, &fan_in));
    if (tasks.size() < kPage) break;
  }
  ASSIGN_OR_RETURN(ManifestSink::Files files, sink.Close());
  for (std::string& f : files.results) fan_in.add_result_files(std::move(f));
  for (std::string& f : files.failed) fan_in.add_failed_files(std::move(f));
  ASSIGN_OR_RETURN(std::string manifest, sink.WriteManifest(ManifestJson(job, fan_in)));
  fan_in.set_manifest(std::move(manifest));
  fan_in.set_state(v1::FanIn::FAN_IN_WRITTEN);
  return fan_in;
}

std::string ManifestJson(const v1::Job& job, const v1::FanIn& fan_in) {
  const v1::TaskCounts& c = job.counts();
  json counts{{"pending", c.pending()}, {"running", c.running()}, {"succeeded", c.succeeded()},
              {"failed", c.failed()},   {"dead", c.dead()},       {"cancelled", c.cancelled()},
              {"total", c.total()}};
  json results{{"items", fan_in.result_items()},
               {"files", std::vector<std::string>(fan_in.result_files().begin(),
                                                  fan_in.result_files().end())}};
  json failed{{"items", fan_in.failed_items()},
              {"files", std::vector<std::string>(fan_in.failed_files().begin(),
                                                 fan_in.failed_files().end())}};
  return DumpJson(json{
      {"job_id", job.job_id()},
      {"state", std::string(JobStateName(job.state()))},
      {"message", job.message()},
      {"function", job.spec().function()},
      {"source", job.spec().source()},
      {"listing_done", job.split_done() || !job.sequential()},
      {"finished_at",
       absl::FormatTime(absl::RFC3339_full, FromProto(job.finished_at()), absl::UTCTimeZone())},
      {"tasks", std::move(counts)},
      {"results", std::move(results)},
      {"failed", std::move(failed)}});
}

}  // namespace fanout::coordinator
