#include "coordinator/worker_grpc_service.h"

#include "coordinator/grpc_reply.h"

namespace fanout::coordinator {

grpc::ServerUnaryReactor* WorkerGrpcService::LeaseTasks(grpc::CallbackServerContext* context,
                                                        const v1::LeaseTasksRequest* request,
                                                        v1::LeaseTasksResponse* response) {
  if (auto* refused = Refuse(context, auth_.Check(*context, Access::kWork, "LeaseTasks"))) {
    return refused;
  }
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  manager_.LeaseTasks(
      *request,
      [reactor, response](absl::StatusOr<v1::LeaseTasksResponse> result) {
        if (result.ok()) *response = std::move(*result);
        reactor->Finish(ToGrpcStatus(result.status()));
      },
      [context] { return context->IsCancelled(); });
  return reactor;
}

grpc::ServerUnaryReactor* WorkerGrpcService::RenewLeases(grpc::CallbackServerContext* context,
                                                         const v1::RenewLeasesRequest* request,
                                                         v1::RenewLeasesResponse* response) {
  if (auto* refused = Refuse(context, auth_.Check(*context, Access::kWork, "RenewLeases"))) {
    return refused;
  }
  return Reply(context, manager_.RenewLeases(*request), response);
}

grpc::ServerUnaryReactor* WorkerGrpcService::Checkpoint(grpc::CallbackServerContext* context,
                                                        const v1::CheckpointRequest* request,
                                                        v1::CheckpointResponse* response) {
  if (auto* refused = Refuse(context, auth_.Check(*context, Access::kWork, "Checkpoint"))) {
    return refused;
  }
  return Reply(context, manager_.Checkpoint(*request), response);
}

grpc::ServerUnaryReactor* WorkerGrpcService::ReportResults(grpc::CallbackServerContext* context,
                                                           const v1::ReportResultsRequest* request,
                                                           v1::ReportResultsResponse* response) {
  if (auto* refused = Refuse(context, auth_.Check(*context, Access::kWork, "ReportResults"))) {
    return refused;
  }
  return Reply(context, manager_.ReportResults(*request), response);
}

}  // namespace fanout::coordinator
