// `fanout invoke NAME[:VERSION] [--payload=JSON|@FILE] [--json]`: Lambda's RequestResponse call —
// a one-item job, one attempt, waited for; prints the function's response, or its error as
// {"errorType", "errorMessage"} and exits 1.
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "cli/client.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/job_waiter.h"
#include "common/errors.h"
#include "common/functions.h"
#include "common/json_text.h"

namespace fanout::cli {
namespace {

absl::StatusOr<std::string> Payload() {
  std::string text = absl::GetFlag(FLAGS_payload);
  if (!text.empty() && text[0] == '@') {
    std::ifstream in(text.substr(1), std::ios::binary);
    if (!in)
      return absl::InvalidArgumentError(absl::StrCat("--payload: cannot read ", text.substr(1)));
    std::stringstream s;
    s << in.rdbuf();
    text = s.str();
  }
  absl::StatusOr<nlohmann::json> parsed = ParseJson(text, "--payload");
  if (!parsed.ok()) return parsed.status();
  return DumpJson(*parsed);
}

// A task error as a Lambda client shows it: the runtime's own {"errorType", "errorMessage"}, or
// one made from fanout's error.
nlohmann::json ErrorJson(const v1::TaskError& error) {
  absl::StatusOr<nlohmann::json> own = ParseJson(error.message(), "error");
  if (own.ok() && own->is_object() && own->contains("errorType")) return *own;
  return {{"errorType", ErrorCodeName(error.code())}, {"errorMessage", error.message()}};
}

}  // namespace

int InvokeCommand(const std::string& function, const std::vector<std::string>& params) {
  absl::StatusOr<FunctionSpec> spec = ParseFunction(function);
  if (!spec.ok()) return Fail(spec.status());
  absl::StatusOr<std::string> payload = Payload();
  if (!payload.ok()) return Fail(payload.status());
  absl::StatusOr<std::string> params_json = ParamsJson(params);
  if (!params_json.ok()) return Fail(params_json.status());
  v1::SubmitJobRequest request;
  request.mutable_spec()->set_function(function);
  if (!params.empty()) request.mutable_spec()->set_params_json(*params_json);
  request.mutable_spec()->set_source(absl::StrCat("[", *payload, "]"));
  request.mutable_spec()->mutable_options()->set_max_attempts(1);  // RequestResponse: no retry
  (*request.mutable_spec()->mutable_labels())["invoke"] = "true";
  Client client = Connect();
  v1::SubmitJobResponse submitted;
  grpc::Status status = client.jobs->SubmitJob(CallContext().get(), request, &submitted);
  if (!status.ok()) return Fail(client, status);
  grpc::Status rpc_error;
  absl::StatusOr<v1::Job> job = WaitForJob(client, submitted.job().job_id(), nullptr, &rpc_error);
  if (!job.ok()) return rpc_error.ok() ? Fail(job.status()) : Fail(client, rpc_error);
  v1::GetResultsRequest results_request;
  results_request.set_job_id(job->job_id());
  v1::GetResultsResponse results;
  status = client.jobs->GetResults(CallContext().get(), results_request, &results);
  if (!status.ok()) return Fail(client, status);
  if (results.results_size() != 1) {
    std::cerr << "fanout invoke: job " << job->job_id() << " ended "
              << v1::JobState_Name(job->state()) << " without a result\n";
    return kExitJobNotSucceeded;
  }
  const v1::ItemResult& r = results.results(0);
  const bool ok = r.state() == v1::TASK_SUCCEEDED;
  if (absl::GetFlag(FLAGS_json)) {
    nlohmann::json out = {{"job_id", job->job_id()}, {"function", job->spec().function()}};
    if (ok) {
      out["response"] = ParseJson(r.result(), "result").value_or(nlohmann::json(r.result()));
    } else {
      out["error"] = ErrorJson(r.error());
    }
    std::cout << DumpJson(out) << "\n";
  } else {
    std::cout << (ok ? r.result() : DumpJson(ErrorJson(r.error()))) << "\n";
    // What the function printed is in its logs: say where.
    if (!ok)
      std::cerr << "fanout invoke: it ran as " << job->job_id() << ": fanout logs " << job->job_id()
                << " shows what it printed\n";
  }
  return ok ? kExitOk : kExitJobNotSucceeded;
}

}  // namespace fanout::cli
