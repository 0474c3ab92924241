// `fanout submit`: builds a JobSpec from flags, submits it, and with --wait follows it to the end.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <sstream>

#include "absl/flags/flag.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "cli/client.h"
#include "cli/command_line.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/interrupt.h"
#include "cli/job_json.h"
#include "cli/job_waiter.h"
#include "common/json_text.h"
#include "common/proto_time.h"
#include "common/status_macros.h"
#include "common/utf8.h"

namespace fanout::cli {

absl::StatusOr<std::string> ParamsJson(const std::vector<std::string>& params) {
  nlohmann::json object = nlohmann::json::object();
  for (const std::string& p : params) {
    const size_t eq = p.find('=');
    if (eq == std::string::npos || eq == 0) {
      return absl::InvalidArgumentError(absl::StrCat("--param: expected KEY=VALUE, got '", p, "'"));
    }
    RETURN_IF_ERROR(CheckUtf8(p, "--param"));
    object[p.substr(0, eq)] = JsonOrString(p.substr(eq + 1));
  }
  return DumpJson(object);
}

namespace {

using nlohmann::json;

// "64MiB", "1GB", "4096": a size in bytes (K/M/G/T with an optional i and B; powers of 1024 with i,
// of 1000 without).
absl::StatusOr<uint64_t> ParseByteSize(absl::string_view text) {
  uint64_t number = 0;
  size_t digits = 0;
  while (digits < text.size() && absl::ascii_isdigit(text[digits])) ++digits;
  absl::string_view unit = text.substr(digits);
  absl::ConsumeSuffix(&unit, "B");
  const bool binary = absl::ConsumeSuffix(&unit, "i");
  const absl::string_view units = "KMGT";
  const size_t found = unit.size() == 1 ? units.find(unit[0]) : absl::string_view::npos;
  if (digits == 0 || !absl::SimpleAtoi(text.substr(0, digits), &number) ||
      (!unit.empty() && found == absl::string_view::npos)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--split_bytes: '", text, "' is not a size like 64MiB or 1048576"));
  }
  const size_t power = unit.empty() ? 0 : found + 1;
  for (size_t i = 0; i < power; ++i) {
    const uint64_t base = binary ? 1024 : 1000;
    if (number > std::numeric_limits<uint64_t>::max() / base) {
      return absl::InvalidArgumentError(absl::StrCat("--split_bytes: '", text, "' is too big"));
    }
    number *= base;
  }
  return number;
}

// "@FILE" reads the source from a file (a JSON list too long for a command line).
absl::StatusOr<std::string> ResolveSource(const std::string& source) {
  if (source.empty() || source[0] != '@') return source;
  std::ifstream in(source.substr(1));
  if (!in)
    return absl::InvalidArgumentError(absl::StrCat("--source: cannot read ", source.substr(1)));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A file source or sink names a path where the user typed it: the coordinator, which opens it,
// may run in another directory (fanout dev's, a service's). Relative paths are made absolute here.
std::string Absolute(const std::string& spec, std::initializer_list<absl::string_view> kinds) {
  for (absl::string_view kind : kinds) {
    absl::string_view path = spec;
    if (!absl::ConsumePrefix(&path, kind)) continue;
    if (path.empty() || absl::StartsWith(path, "/")) return spec;
    return absl::StrCat(kind, (std::filesystem::current_path() / std::string(path)).string());
  }
  return spec;
}

absl::StatusOr<v1::JobSpec> SpecFromFlags(const std::vector<std::string>& params) {
  // Every text field of a spec must be UTF-8 (the coordinator could not even parse the request).
  for (const auto& [flag, value] :
       {std::pair<const char*, std::string>{"--function", absl::GetFlag(FLAGS_function)},
        {"--idempotency_key", absl::GetFlag(FLAGS_idempotency_key)},
        {"--results", absl::GetFlag(FLAGS_results)},
        {"--reduce", absl::GetFlag(FLAGS_reduce)}}) {
    RETURN_IF_ERROR(CheckUtf8(value, flag));
  }
  v1::JobSpec spec;
  spec.set_function(absl::GetFlag(FLAGS_function));
  ASSIGN_OR_RETURN(std::string source, ResolveSource(absl::GetFlag(FLAGS_source)));
  RETURN_IF_ERROR(CheckUtf8(source, "--source"));
  spec.set_source(Absolute(source, {"jsonl:", "csv:", "dir:"}));
  ASSIGN_OR_RETURN(std::string params_json, ParamsJson(params));
  spec.set_params_json(std::move(params_json));
  spec.set_idempotency_key(absl::GetFlag(FLAGS_idempotency_key));
  spec.set_results(Absolute(absl::GetFlag(FLAGS_results), {"jsonl:"}));
  spec.set_reduce(absl::GetFlag(FLAGS_reduce));
  v1::JobOptions* o = spec.mutable_options();
  if (absl::GetFlag(FLAGS_batch_size) < 1)
    return absl::InvalidArgumentError("--batch_size: must be at least 1");
  if (absl::GetFlag(FLAGS_max_attempts) < 1)
    return absl::InvalidArgumentError("--max_attempts: must be at least 1");
  if (absl::GetFlag(FLAGS_max_concurrency) < 0 && FlagGiven("max_concurrency")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--max_concurrency: ", absl::GetFlag(FLAGS_max_concurrency), " is negative (0: no limit)"));
  }
  if (absl::GetFlag(FLAGS_tolerated_failure_count) < 0)
    return absl::InvalidArgumentError("--tolerated_failure_count: must not be negative");
  o->set_batch_size(absl::GetFlag(FLAGS_batch_size));
  o->set_max_attempts(absl::GetFlag(FLAGS_max_attempts));
  o->set_max_concurrency(std::max(0, absl::GetFlag(FLAGS_max_concurrency)));
  o->set_priority(absl::GetFlag(FLAGS_priority));
  o->set_tolerated_failure_percent(absl::GetFlag(FLAGS_tolerated_failure_percent));
  o->set_tolerated_failure_count(absl::GetFlag(FLAGS_tolerated_failure_count));
  if (absl::GetFlag(FLAGS_max_stalled_continuations) < 0)
    return absl::InvalidArgumentError("--max_stalled_continuations: must not be negative");
  o->set_max_stalled_continuations(absl::GetFlag(FLAGS_max_stalled_continuations));
  if (absl::GetFlag(FLAGS_memory_mb) < 0)
    return absl::InvalidArgumentError("--memory_mb: must not be negative");
  o->set_memory_mb(absl::GetFlag(FLAGS_memory_mb));
  if (!absl::GetFlag(FLAGS_split_bytes).empty()) {
    ASSIGN_OR_RETURN(uint64_t split, ParseByteSize(absl::GetFlag(FLAGS_split_bytes)));
    o->set_split_bytes(split);
  }
  // Sent only when given: otherwise the coordinator applies the function's own default.
  if (absl::GetFlag(FLAGS_timeout) < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--timeout: must be positive");
  }
  if (absl::GetFlag(FLAGS_timeout) > absl::ZeroDuration()) {
    ToProto(absl::GetFlag(FLAGS_timeout), o->mutable_timeout());
  }
  ToProto(absl::GetFlag(FLAGS_backoff_initial), o->mutable_backoff_initial());
  ToProto(absl::GetFlag(FLAGS_backoff_max), o->mutable_backoff_max());
  return spec;
}

std::string Summary(const v1::Job& job) {
  const v1::TaskCounts& c = job.counts();
  const absl::Duration took = FromProto(job.finished_at()) - FromProto(job.created_at());
  const double seconds = std::max(absl::ToDoubleSeconds(took), 1e-3);
  // The rate counts work that finished: cancelled tasks did nothing.
  const absl::Duration shown = absl::Trunc(took, absl::Milliseconds(1));
  std::string line = absl::StrFormat(
      "%s %s: %s (%d succeeded, %d failed, %d dead, %d cancelled) in %s, %s tasks/s", job.job_id(),
      JobToJson(job)["state"].get<std::string>(), Tasks(c.total()), c.succeeded(), c.failed(),
      c.dead(), c.cancelled(),
      shown < absl::Milliseconds(1) ? "under 1ms" : absl::FormatDuration(shown),
      RateText(FinishedTasks(c) / seconds));
  if (c.total() == 0 && job.split_done()) absl::StrAppend(&line, "\n  the source had no items");
  if (!job.message().empty()) absl::StrAppend(&line, "\n  ", job.message());
  absl::StrAppend(&line, "\n", FanInText(job.fan_in()));
  while (!line.empty() && line.back() == '\n') line.pop_back();
  return line;
}

// What a reduce job's one item returned (or its error), or null.
json ReduceResult(Client& client, const std::string& job_id) {
  v1::GetResultsRequest request;
  request.set_job_id(job_id);
  request.set_page_size(1);
  v1::GetResultsResponse response;
  grpc::Status status = client.jobs->GetResults(CallContext().get(), request, &response);
  if (!status.ok() || response.results_size() == 0) return nullptr;
  json result = ItemResultToJson(response.results(0));
  if (result.contains("result")) return result["result"];
  return result.contains("error") ? result["error"] : json();
}

// Follows `job_id` to its end with a progress bar and prints its summary (or final status JSON);
// then the same for its reduce job, if it has one, with the reduce's result.
int Follow(Client& client, const std::string& job_id) {
  std::string next = job_id;
  bool succeeded = true;
  for (bool reduce = false; !next.empty(); reduce = true) {
    ProgressBar bar(std::cerr, isatty(STDERR_FILENO));
    SetInterruptNotice(StillRunningNotice(next));
    grpc::Status rpc_error;
    absl::StatusOr<v1::Job> job = WaitForJob(client, next, &bar, &rpc_error);
    SetInterruptNotice("");
    if (!job.ok()) return rpc_error.ok() ? Fail(job.status()) : Fail(client, rpc_error);
    succeeded &= job->state() == v1::JOB_SUCCEEDED;
    json result = reduce ? ReduceResult(client, next) : json();
    if (absl::GetFlag(FLAGS_json)) {
      json out = JobToJson(*job);
      if (reduce) out["result"] = result;
      std::cout << DumpJson(out) << "\n";
    } else {
      std::cout << (reduce ? "reduce " : "") << Summary(*job) << "\n";
      if (reduce && !result.is_null()) {
        std::cout << "  result " << DumpJson(result) << "\n";
      }
    }
    next = job->fan_in().reduce_job_id();
  }
  return succeeded ? kExitOk : kExitJobNotSucceeded;
}

}  // namespace

int WatchCommand(const std::string& job_id) {
  Client client = Connect();
  return Follow(client, job_id);
}

int SubmitCommand(const std::vector<std::string>& params) {
  absl::StatusOr<v1::JobSpec> spec = SpecFromFlags(params);
  if (!spec.ok()) return Fail(spec.status());
  Client client = Connect();
  v1::SubmitJobRequest request;
  *request.mutable_spec() = std::move(*spec);
  v1::SubmitJobResponse response;
  grpc::Status status = client.jobs->SubmitJob(CallContext().get(), request, &response);
  if (!status.ok()) return Fail(client, status);
  const std::string& job_id = response.job().job_id();
  if (!absl::GetFlag(FLAGS_wait)) {
    if (absl::GetFlag(FLAGS_json)) {
      std::cout << DumpJson(json{{"job_id", job_id}, {"created", response.created()}}) << "\n";
    } else {
      std::cout << job_id << "\n";
    }
    return kExitOk;
  }
  if (!absl::GetFlag(FLAGS_json)) {
    std::cerr << (response.created() ? "submitted " : "already submitted: ") << job_id << "\n";
  }
  return Follow(client, job_id);
}

}  // namespace fanout::cli
