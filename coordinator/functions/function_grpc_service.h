// FunctionService over gRPC: converts requests, calls the FunctionRegistry. Unlike the job and
// worker services it uses gRPC's synchronous API: bundles stream in and out in chunks, which reads
// as a plain loop here, and these calls are rare (a deploy, a worker's first use of a version).
#ifndef FANOUT_COORDINATOR_FUNCTIONS_FUNCTION_GRPC_SERVICE_H_
#define FANOUT_COORDINATOR_FUNCTIONS_FUNCTION_GRPC_SERVICE_H_

#include "coordinator/auth/audit_log.h"
#include "coordinator/auth/authorizer.h"
#include "coordinator/functions/function_registry.h"
#include "proto/function_service.grpc.pb.h"

namespace fanout::coordinator {

// Thread-safe. Owned by CoordinatorServer.
class FunctionGrpcService final : public v1::FunctionService::Service {
 public:
  FunctionGrpcService(FunctionRegistry& registry, const Authorizer& auth, AuditLog& audit)
      : registry_(registry), auth_(auth), audit_(audit) {}

  grpc::Status UploadCode(grpc::ServerContext* context, grpc::ServerReader<v1::CodeChunk>* reader,
                          v1::CodeRef* response) override;
  grpc::Status CreateFunction(grpc::ServerContext* context,
                              const v1::CreateFunctionRequest* request,
                              v1::FunctionVersion* response) override;
  grpc::Status GetFunction(grpc::ServerContext* context, const v1::GetFunctionRequest* request,
                           v1::FunctionVersion* response) override;
  grpc::Status ListFunctions(grpc::ServerContext* context, const v1::ListFunctionsRequest* request,
                             v1::ListFunctionsResponse* response) override;
  grpc::Status DeleteFunction(grpc::ServerContext* context,
                              const v1::DeleteFunctionRequest* request,
                              v1::DeleteFunctionResponse* response) override;
  grpc::Status FetchCode(grpc::ServerContext* context, const v1::FetchCodeRequest* request,
                         grpc::ServerWriter<v1::CodeChunk>* writer) override;

 private:
  FunctionRegistry& registry_;
  const Authorizer& auth_;
  AuditLog& audit_;
};

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_FUNCTIONS_FUNCTION_GRPC_SERVICE_H_
