#include "coordinator/job_grpc_service.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/limits.h"
#include "coordinator/grpc_reply.h"

namespace fanout::coordinator {
namespace {

// Streams snapshots handed over by JobWatchHub. At most one write is in flight; a snapshot that
// arrives meanwhile replaces the one waiting, so a slow client sees fewer, fresher updates.
class WatchReactor : public grpc::ServerWriteReactor<v1::Job> {
 public:
  struct Shared {
    absl::Mutex mu;
    WatchReactor* reactor ABSL_GUARDED_BY(mu) = nullptr;  // null once the call is done
  };

  WatchReactor() : shared_(std::make_shared<Shared>()) { shared_->reactor = this; }
  std::shared_ptr<Shared> shared() { return shared_; }

  // Called by the hub thread with shared->mu held.
  bool Offer(const absl::StatusOr<v1::Job>& job, bool last) {
    if (finished_) return false;
    if (!job.ok()) {
      close_ = ToGrpcStatus(job.status());
      if (!writing_) Close(*close_);
      return false;
    }
    pending_ = *job;
    pending_last_ = last;
    if (!writing_) WriteNext();
    return !last;
  }

  void OnWriteDone(bool ok) override {
    absl::MutexLock lock(&shared_->mu);
    writing_ = false;
    if (!ok) {
      Close(grpc::Status(grpc::StatusCode::CANCELLED, "watcher went away"));
    } else if (pending_) {
      WriteNext();
    } else if (close_) {
      Close(*close_);
    }
  }

  void OnCancel() override {
    absl::MutexLock lock(&shared_->mu);
    if (!writing_) Close(grpc::Status(grpc::StatusCode::CANCELLED, "watch cancelled"));
  }

  void OnDone() override {
    {
      absl::MutexLock lock(&shared_->mu);
      shared_->reactor = nullptr;
    }
    delete this;
  }

 private:
  void WriteNext() {
    buffer_ = std::move(*pending_);
    pending_.reset();
    if (pending_last_) {
      finished_ = true;
      StartWriteAndFinish(&buffer_, grpc::WriteOptions(), grpc::Status::OK);
    } else {
      writing_ = true;
      StartWrite(&buffer_);
    }
  }
  void Close(const grpc::Status& status) {
    if (finished_) return;
    finished_ = true;
    Finish(status);
  }

  std::shared_ptr<Shared> shared_;
  // Guarded by shared_->mu.
  v1::Job buffer_;
  std::optional<v1::Job> pending_;
  std::optional<grpc::Status> close_;  // an error to end with once the write in flight is done
  bool pending_last_ = false;
  bool writing_ = false;
  bool finished_ = false;
};

}  // namespace

grpc::ServerUnaryReactor* JobGrpcService::SubmitJob(grpc::CallbackServerContext* context,
                                                    const v1::SubmitJobRequest* request,
                                                    v1::SubmitJobResponse* response) {
  // A trigger's token may submit only what carries event keys (an idempotency key or item
  // keys): its events, each made a job once however often it is delivered.
  const Access access =
      request->spec().item_keys_size() > 0 || !request->spec().idempotency_key().empty()
          ? Access::kSubmitKeyed
          : Access::kSubmit;
  if (auto* refused = Refuse(context, auth_.Check(*context, access, "SubmitJob"))) return refused;
  absl::StatusOr<SubmitOutcome> out = manager_.SubmitJob(request->spec());
  if (!out.ok()) return Reply<v1::SubmitJobResponse>(context, out.status(), response);
  v1::SubmitJobResponse reply;
  *reply.mutable_job() = std::move(out->job);
  reply.set_created(out->created);
  reply.set_known_items(static_cast<uint32_t>(out->known_items));
  return Reply(context, absl::StatusOr<v1::SubmitJobResponse>(std::move(reply)), response);
}

grpc::ServerUnaryReactor* JobGrpcService::SubmitJobs(grpc::CallbackServerContext* context,
                                                     const v1::SubmitJobsRequest* request,
                                                     v1::SubmitJobsResponse* response) {
  // Keyed only when every spec is: one unkeyed spec needs the submit role for the whole call.
  const bool keyed =
      request->specs_size() > 0 &&
      std::all_of(request->specs().begin(), request->specs().end(), [](const v1::JobSpec& spec) {
        return spec.item_keys_size() > 0 || !spec.idempotency_key().empty();
      });
  const Access access = keyed ? Access::kSubmitKeyed : Access::kSubmit;
  if (auto* refused = Refuse(context, auth_.Check(*context, access, "SubmitJobs"))) return refused;
  if (request->specs_size() > kMaxSubmitBatch) {
    return Reply<v1::SubmitJobsResponse>(
        context,
        absl::InvalidArgumentError(absl::StrCat("specs: ", request->specs_size(),
                                                " jobs in one call, over the limit of ",
                                                kMaxSubmitBatch)),
        response);
  }
  std::vector<absl::StatusOr<SubmitOutcome>> answers = manager_.SubmitJobs(
      std::vector<v1::JobSpec>(request->specs().begin(), request->specs().end()));
  v1::SubmitJobsResponse reply;
  for (absl::StatusOr<SubmitOutcome>& answer : answers) {
    v1::SubmitJobsResult* result = reply.add_results();
    if (!answer.ok()) {
      result->set_error_code(static_cast<int32_t>(answer.status().code()));
      result->set_error(std::string(answer.status().message()));
      continue;
    }
    result->set_job_id(answer->job.job_id());
    result->set_created(answer->created);
    result->set_known_items(static_cast<uint32_t>(answer->known_items));
  }
  return Reply(context, absl::StatusOr<v1::SubmitJobsResponse>(std::move(reply)), response);
}

grpc::ServerUnaryReactor* JobGrpcService::GetJob(grpc::CallbackServerContext* context,
                                                 const v1::GetJobRequest* request,
                                                 v1::Job* response) {
  if (auto* refused = Refuse(context, auth_.Check(*context, Access::kRead, "GetJob"))) {
    return refused;
  }
  return Reply(context, manager_.GetJob(request->job_id()), response);
}

grpc::ServerUnaryReactor* JobGrpcService::ListJobs(grpc::CallbackServerContext* context,
                                                   const v1::ListJobsRequest* request,
                                                   v1::ListJobsResponse* response) {
  if (auto* refused = Refuse(context, auth_.Check(*context, Access::kRead, "ListJobs"))) {
    return refused;
  }
  return Reply(context, manager_.ListJobs(*request), response);
}

grpc::ServerWriteReactor<v1::Job>* JobGrpcService::WatchJob(grpc::CallbackServerContext* context,
                                                            const v1::WatchJobRequest* request) {
  absl::StatusOr<Principal> principal = auth_.Check(*context, Access::kRead, "WatchJob");
  if (!principal.ok()) return new RefusedWriter<v1::Job>(principal.status());
  auto* reactor = new WatchReactor();
  std::shared_ptr<WatchReactor::Shared> shared = reactor->shared();
  hub_.Watch(request->job_id(), [shared](const absl::StatusOr<v1::Job>& job, bool last) {
    absl::MutexLock lock(&shared->mu);
    return shared->reactor != nullptr && shared->reactor->Offer(job, last);
  });
  return reactor;
}

grpc::ServerUnaryReactor* JobGrpcService::CancelJob(grpc::CallbackServerContext* context,
                                                    const v1::CancelJobRequest* request,
                                                    v1::Job* response) {
  if (auto* refused = Refuse(context, auth_.Check(*context, Access::kSubmit, "CancelJob"))) {
    return refused;
  }
  return Reply(context, manager_.CancelJob(request->job_id()), response);
}

grpc::ServerUnaryReactor* JobGrpcService::ListTasks(grpc::CallbackServerContext* context,
                                                    const v1::ListTasksRequest* request,
                                                    v1::ListTasksResponse* response) {
  if (auto* refused = Refuse(context, auth_.Check(*context, Access::kRead, "ListTasks"))) {
    return refused;
  }
  return Reply(context, manager_.ListTasks(*request), response);
}

grpc::ServerUnaryReactor* JobGrpcService::GetResults(grpc::CallbackServerContext* context,
                                                     const v1::GetResultsRequest* request,
                                                     v1::GetResultsResponse* response) {
  if (auto* refused = Refuse(context, auth_.Check(*context, Access::kRead, "GetResults"))) {
    return refused;
  }
  return Reply(context, manager_.GetResults(*request), response);
}

grpc::ServerUnaryReactor* JobGrpcService::RedriveJob(grpc::CallbackServerContext* context,
                                                     const v1::RedriveJobRequest* request,
                                                     v1::RedriveJobResponse* response) {
  if (auto* refused = Refuse(context, auth_.Check(*context, Access::kSubmit, "RedriveJob"))) {
    return refused;
  }
  return Reply(context, manager_.RedriveJob(*request), response);
}

grpc::ServerUnaryReactor* JobGrpcService::UpdateJob(grpc::CallbackServerContext* context,
                                                    const v1::UpdateJobRequest* request,
                                                    v1::Job* response) {
  if (auto* refused = Refuse(context, auth_.Check(*context, Access::kSubmit, "UpdateJob"))) {
    return refused;
  }
  return Reply(context, manager_.UpdateJob(*request), response);
}

grpc::ServerUnaryReactor* JobGrpcService::ListWorkers(grpc::CallbackServerContext* context,
                                                      const v1::ListWorkersRequest* request,
                                                      v1::ListWorkersResponse* response) {
  if (auto* refused = Refuse(context, auth_.Check(*context, Access::kRead, "ListWorkers"))) {
    return refused;
  }
  return Reply(context, absl::StatusOr<v1::ListWorkersResponse>(manager_.ListWorkers()), response);
}

}  // namespace fanout::coordinator
