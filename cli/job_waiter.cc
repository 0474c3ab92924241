#include "cli/job_waiter.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/grpc_status.h"

namespace fanout::cli {

namespace {

// Worth another try once the job was seen: the coordinator restarting or a network blip.
bool Transient(grpc::StatusCode code) {
  return code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::DEADLINE_EXCEEDED ||
         code == grpc::StatusCode::CANCELLED || code == grpc::StatusCode::UNKNOWN ||
         code == grpc::StatusCode::INTERNAL || code == grpc::StatusCode::ABORTED;
}

}  // namespace

absl::StatusOr<v1::Job> WaitForJob(Client& client, const std::string& job_id, ProgressBar* bar,
                                   grpc::Status* rpc_error) {
  v1::WatchJobRequest request;
  request.set_job_id(job_id);
  bool seen = false;
  while (true) {
    grpc::ClientContext context;
    std::unique_ptr<grpc::ClientReader<v1::Job>> reader = client.jobs->WatchJob(&context, request);
    v1::Job job;
    while (reader->Read(&job)) {
      seen = true;
      if (bar != nullptr) bar->Update(job, absl::Now());
      if (job.state() != v1::JOB_RUNNING && job.fan_in().state() != v1::FanIn::FAN_IN_PENDING) {
        if (bar != nullptr) bar->Finish();
        context.TryCancel();
        reader->Finish();
        return job;
      }
    }
    grpc::Status status = reader->Finish();
    if (!seen || !Transient(status.error_code())) {
      if (bar != nullptr) bar->Finish();
      if (rpc_error != nullptr) *rpc_error = status;
      return FromGrpcStatus(status);
    }
    if (bar != nullptr) {
      bar->Note(absl::StrCat("lost the coordinator at ", client.address, " (",
                             status.error_message(), "); reconnecting..."));
    }
    absl::SleepFor(absl::Seconds(1));
  }
}

}  // namespace fanout::cli
