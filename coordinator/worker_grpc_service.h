// WorkerService over gRPC's callback API. LeaseTasks finishes whenever JobManager calls back, which
// lets a long-polling worker wait without holding a server thread.
#ifndef FANOUT_COORDINATOR_WORKER_GRPC_SERVICE_H_
#define FANOUT_COORDINATOR_WORKER_GRPC_SERVICE_H_

#include "coordinator/arena_message_allocator.h"
#include "coordinator/auth/authorizer.h"
#include "coordinator/job_manager.h"
#include "proto/worker_service.grpc.pb.h"

namespace fanout::coordinator {

// Thread-safe. Owned by CoordinatorServer.
class WorkerGrpcService final : public v1::WorkerService::CallbackService {
 public:
  WorkerGrpcService(JobManager& manager, const Authorizer& auth) : manager_(manager), auth_(auth) {
    SetMessageAllocatorFor_ReportResults(&report_allocator_);
    SetMessageAllocatorFor_RenewLeases(&renew_allocator_);
    SetMessageAllocatorFor_Checkpoint(&checkpoint_allocator_);
  }

  grpc::ServerUnaryReactor* LeaseTasks(grpc::CallbackServerContext* context,
                                       const v1::LeaseTasksRequest* request,
                                       v1::LeaseTasksResponse* response) override;
  grpc::ServerUnaryReactor* RenewLeases(grpc::CallbackServerContext* context,
                                        const v1::RenewLeasesRequest* request,
                                        v1::RenewLeasesResponse* response) override;
  grpc::ServerUnaryReactor* Checkpoint(grpc::CallbackServerContext* context,
                                       const v1::CheckpointRequest* request,
                                       v1::CheckpointResponse* response) override;
  grpc::ServerUnaryReactor* ReportResults(grpc::CallbackServerContext* context,
                                          const v1::ReportResultsRequest* request,
                                          v1::ReportResultsResponse* response) override;

 private:
  JobManager& manager_;
  const Authorizer& auth_;
  ArenaMessageAllocator<v1::ReportResultsRequest, v1::ReportResultsResponse> report_allocator_;
  ArenaMessageAllocator<v1::RenewLeasesRequest, v1::RenewLeasesResponse> renew_allocator_;
  ArenaMessageAllocator<v1::CheckpointRequest, v1::CheckpointResponse> checkpoint_allocator_;
};

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_WORKER_GRPC_SERVICE_H_
