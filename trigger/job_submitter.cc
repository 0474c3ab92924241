#include "trigger/job_submitter.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/grpc_status.h"
#include "common/limits.h"

namespace fanout::trigger {

namespace {

// Reconnects within half a second of a restarted coordinator: an event source waits on the answer.
std::shared_ptr<grpc::Channel> Channel(const std::string& coordinator,
                                       const ClientSecurity& security) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 500);
  return DialCoordinator(coordinator, security, args);
}

// What a refused submit means to the event: a duplicate, UNAVAILABLE (redeliver later) or
// INVALID_ARGUMENT (redelivering will not help).
absl::StatusOr<Submitted> Judge(const absl::Status& status) {
  // The key already made a job from another spec (the rule's template changed since the first
  // delivery): the event was accepted then, so this delivery is a duplicate.
  if (status.code() == absl::StatusCode::kFailedPrecondition &&
      absl::StrContains(status.message(), "already created job")) {
    return Submitted{"", false, 0};
  }
  // The same judgement as the workers' calls: what may pass (the coordinator away or slow, a
  // credential an operator can fix) is tried again later, so no event is dropped for it; a refusal
  // of what the call carried (a bad job, a request too big or one the coordinator could not parse)
  // will not get better and would otherwise be redelivered forever.
  if (IsTransientCallFailure(status.code())) {
    return absl::UnavailableError(absl::StrCat("coordinator: ", status.ToString()));
  }
  return absl::InvalidArgumentError(status.message());
}

}  // namespace

GrpcJobSubmitter::GrpcJobSubmitter(const std::string& coordinator, const ClientSecurity& security,
                                   absl::Duration timeout)
    : timeout_(timeout), stub_(v1::JobService::NewStub(Channel(coordinator, security))) {}

std::vector<absl::StatusOr<Submitted>> JobSubmitter::SubmitAll(
    const std::vector<v1::JobSpec>& specs) {
  std::vector<absl::StatusOr<Submitted>> answers;
  answers.reserve(specs.size());
  for (const v1::JobSpec& spec : specs) {
    const bool away = !answers.empty() && absl::IsUnavailable(answers.back().status());
    answers.push_back(away ? answers.back() : Submit(spec));
  }
  return answers;
}

std::vector<absl::StatusOr<Submitted>> GrpcJobSubmitter::SubmitAll(
    const std::vector<v1::JobSpec>& specs) {
  if (!batch_calls_) return JobSubmitter::SubmitAll(specs);
  std::vector<absl::StatusOr<Submitted>> answers;
  answers.reserve(specs.size());
  for (auto begin = specs.begin(); begin != specs.end();) {
    // A call of at most kMaxSubmitBatch specs and kBatchBytes: well under the message limit,
    // whatever the events carry.
    auto end = begin;
    size_t bytes = 0;
    while (end != specs.end() && end - begin < kMaxSubmitBatch &&
           (end == begin || bytes + end->ByteSizeLong() <= kBatchBytes)) {
      bytes += end->ByteSizeLong();
      ++end;
    }
    std::optional<std::vector<absl::StatusOr<Submitted>>> batch = SubmitBatch(begin, end);
    if (!batch) {  // an older coordinator (or a call it would not take): one call each
      batch = JobSubmitter::SubmitAll(std::vector<v1::JobSpec>(begin, end));
    }
    for (absl::StatusOr<Submitted>& answer : *batch) answers.push_back(std::move(answer));
    begin = end;
    // The coordinator away: the rest would each wait out a deadline; the source redelivers.
    if (!answers.empty() && absl::IsUnavailable(answers.back().status())) {
      while (answers.size() < specs.size()) answers.push_back(answers.back().status());
      break;
    }
  }
  return answers;
}

std::optional<std::vector<absl::StatusOr<Submitted>>> GrpcJobSubmitter::SubmitBatch(
    std::vector<v1::JobSpec>::const_iterator begin, std::vector<v1::JobSpec>::const_iterator end) {
  v1::SubmitJobsRequest request;
  for (auto spec = begin; spec != end; ++spec) *request.add_specs() = *spec;
  v1::SubmitJobsResponse response;
  grpc::ClientContext context;
  const size_t n = static_cast<size_t>(end - begin);
  // A thousand jobs take the coordinator longer than one: a millisecond more for each.
  context.set_deadline(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(timeout_) +
                       std::chrono::milliseconds(n));
  context.set_wait_for_ready(true);
  const absl::Status status = FromGrpcStatus(stub_->SubmitJobs(&context, request, &response));
  if (absl::IsUnimplemented(status)) {
    batch_calls_ = false;  // from now on, one call each
    return std::nullopt;
  }
  // Too big after all (one spec near the limit): one call each says which spec it was.
  if (absl::IsResourceExhausted(status) && n > 1) return std::nullopt;
  if (status.ok() && static_cast<size_t>(response.results_size()) != n) {
    return std::vector<absl::StatusOr<Submitted>>(
        n, absl::UnavailableError(
               absl::StrCat("coordinator: ", response.results_size(), " answers to ", n, " jobs")));
  }
  if (!status.ok()) return std::vector<absl::StatusOr<Submitted>>(n, Judge(status));
  std::vector<absl::StatusOr<Submitted>> answers;
  answers.reserve(n);
  for (const v1::SubmitJobsResult& result : response.results()) {
    if (result.error_code() == 0) {
      answers.push_back(Submitted{result.job_id(), result.created(), result.known_items()});
    } else {
      answers.push_back(
          Judge(absl::Status(static_cast<absl::StatusCode>(result.error_code()), result.error())));
    }
  }
  return answers;
}

absl::StatusOr<Submitted> GrpcJobSubmitter::Submit(const v1::JobSpec& spec) {
  v1::SubmitJobRequest request;
  *request.mutable_spec() = spec;
  v1::SubmitJobResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(timeout_));
  // A coordinator restarting is waited for (up to the deadline) rather than failed at once.
  context.set_wait_for_ready(true);
  const absl::Status status = FromGrpcStatus(stub_->SubmitJob(&context, request, &response));
  if (status.ok()) {
    return Submitted{response.job().job_id(), response.created(), response.known_items()};
  }
  return Judge(status);
}

v1::JobSpec EventJob(const v1::JobSpec& rule_job, const std::string& rule_name,
                     const std::string& item_json, const std::string& idempotency_key) {
  v1::JobSpec spec = rule_job;
  spec.set_source(absl::StrCat("[", item_json, "]"));
  spec.set_idempotency_key(idempotency_key);
  (*spec.mutable_labels())["trigger"] = rule_name;
  return spec;
}

}  // namespace fanout::trigger
