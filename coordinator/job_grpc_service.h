// JobService over gRPC's callback API: converts requests, calls JobManager, maps absl::Status to
// grpc::Status. No logic of its own.
#ifndef FANOUT_COORDINATOR_JOB_GRPC_SERVICE_H_
#define FANOUT_COORDINATOR_JOB_GRPC_SERVICE_H_

#include "coordinator/auth/authorizer.h"
#include "coordinator/job_manager.h"
#include "coordinator/job_watch_hub.h"
#include "proto/job_service.grpc.pb.h"

namespace fanout::coordinator {

// Thread-safe. Owned by CoordinatorServer.
class JobGrpcService final : public v1::JobService::CallbackService {
 public:
  JobGrpcService(JobManager& manager, JobWatchHub& hub, const Authorizer& auth)
      : manager_(manager), hub_(hub), auth_(auth) {}

  grpc::ServerUnaryReactor* SubmitJob(grpc::CallbackServerContext* context,
                                      const v1::SubmitJobRequest* request,
                                      v1::SubmitJobResponse* response) override;
  grpc::ServerUnaryReactor* SubmitJobs(grpc::CallbackServerContext* context,
                                       const v1::SubmitJobsRequest* request,
                                       v1::SubmitJobsResponse* response) override;
  grpc::ServerUnaryReactor* GetJob(grpc::CallbackServerContext* context,
                                   const v1::GetJobRequest* request, v1::Job* response) override;
  grpc::ServerUnaryReactor* ListJobs(grpc::CallbackServerContext* context,
                                     const v1::ListJobsRequest* request,
                                     v1::ListJobsResponse* response) override;
  grpc::ServerWriteReactor<v1::Job>* WatchJob(grpc::CallbackServerContext* context,
                                              const v1::WatchJobRequest* request) override;
  grpc::ServerUnaryReactor* CancelJob(grpc::CallbackServerContext* context,
                                      const v1::CancelJobRequest* request,
                                      v1::Job* response) override;
  grpc::ServerUnaryReactor* ListTasks(grpc::CallbackServerContext* context,
                                      const v1::ListTasksRequest* request,
                                      v1::ListTasksResponse* response) override;
  grpc::ServerUnaryReactor* GetResults(grpc::CallbackServerContext* context,
                                       const v1::GetResultsRequest* request,
                                       v1::GetResultsResponse* response) override;
  grpc::ServerUnaryReactor* RedriveJob(grpc::CallbackServerContext* context,
                                       const v1::RedriveJobRequest* request,
                                       v1::RedriveJobResponse* response) override;
  grpc::ServerUnaryReactor* UpdateJob(grpc::CallbackServerContext* context,
                                      const v1::UpdateJobRequest* request,
                                      v1::Job* response) override;
  grpc::ServerUnaryReactor* ListWorkers(grpc::CallbackServerContext* context,
                                        const v1::ListWorkersRequest* request,
                                        v1::ListWorkersResponse* response) override;

 private:
  JobManager& manager_;
  JobWatchHub& hub_;
  const Authorizer& auth_;
};

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_JOB_GRPC_SERVICE_H_
