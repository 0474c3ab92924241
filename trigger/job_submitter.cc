#include "trigger/job_submitter.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/grpc_status.h"

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

}  // namespace

GrpcJobSubmitter::GrpcJobSubmitter(const std::string& coordinator, const ClientSecurity& security,
                                   absl::Duration timeout)
    : timeout_(timeout), stub_(v1::JobService::NewStub(Channel(coordinator, security))) {}

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

v1::JobSpec EventJob(const v1::JobSpec& rule_job, const std::string& rule_name,
                     const std::string& item_json, const std::string& idempotency_key) {
  v1::JobSpec spec = rule_job;
  spec.set_source(absl::StrCat("[", item_json, "]"));
  spec.set_idempotency_key(idempotency_key);
  (*spec.mutable_labels())["trigger"] = rule_name;
  return spec;
}

}  // namespace fanout::trigger
