#include "coordinator/functions/function_grpc_service.h"

#include <fstream>

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"

namespace fanout::coordinator {
namespace {

constexpr size_t kChunkBytes = 1 << 20;

bool Secret(const v1::EnvVar& var) {
  return var.secret() || var.name() == "AWS_SECRET_ACCESS_KEY" || var.name() == "AWS_SESSION_TOKEN";
}

// Secret values leave the coordinator only for the runtimes that need them.
void Redact(v1::FunctionVersion& version) {
  for (v1::EnvVar& var : *version.mutable_settings()->mutable_env()) {
    if (!Secret(var)) continue;
    var.set_secret(true);
    var.clear_value();
  }
}

template <typename T>
grpc::Status Answer(absl::StatusOr<T> result, T* response) {
  if (result.ok()) *response = *std::move(result);
  return ToGrpcStatus(result.status());
}

}  // namespace

grpc::Status FunctionGrpcService::UploadCode(grpc::ServerContext* context,
                                             grpc::ServerReader<v1::CodeChunk>* reader,
                                             v1::CodeRef* response) {
  absl::StatusOr<Principal> who = auth_.Check(*context, Access::kAdmin, "UploadCode");
  if (!who.ok()) return ToGrpcRefusal(who.status());
  absl::StatusOr<std::unique_ptr<CodeStore::Upload>> upload = registry_.code().StartUpload();
  if (!upload.ok()) return ToGrpcStatus(upload.status());
  v1::CodeChunk chunk;
  while (reader->Read(&chunk)) {
    if (absl::Status s = (*upload)->Append(chunk.data()); !s.ok()) return ToGrpcStatus(s);
  }
  if (context->IsCancelled()) return grpc::Status::CANCELLED;  // cut short: keep nothing
  return Answer((*upload)->Commit(), response);
}

grpc::Status FunctionGrpcService::CreateFunction(grpc::ServerContext* context,
                                                 const v1::CreateFunctionRequest* request,
                                                 v1::FunctionVersion* response) {
  absl::StatusOr<Principal> who = auth_.Check(*context, Access::kAdmin, "CreateFunction");
  if (!who.ok()) return ToGrpcRefusal(who.status());
  absl::StatusOr<v1::FunctionVersion> created = registry_.Create(*request);
  audit_.Record(*who, "function.create", request->name(), created.status(),
                {{"version", created.ok() ? created->version() : 0}});
  if (created.ok()) Redact(*created);
  return Answer(std::move(created), response);
}

grpc::Status FunctionGrpcService::GetFunction(grpc::ServerContext* context,
                                              const v1::GetFunctionRequest* request,
                                              v1::FunctionVersion* response) {
  absl::StatusOr<Principal> who = auth_.Check(*context, Access::kFunctionRead, "GetFunction");
  if (!who.ok()) return ToGrpcRefusal(who.status());
  if (request->with_secrets()) {
    // Secrets as worker calls are guarded: the role, and the client certificate where required.
    absl::StatusOr<Principal> worker =
        auth_.Check(*context, Access::kWork, "GetFunction with_secrets");
    if (!worker.ok()) return ToGrpcRefusal(worker.status());
  }
  absl::StatusOr<v1::FunctionVersion> version = registry_.Get(request->name(), request->version());
  if (version.ok() && !request->with_secrets()) Redact(*version);
  return Answer(std::move(version), response);
}

grpc::Status FunctionGrpcService::ListFunctions(grpc::ServerContext* context,
                                                const v1::ListFunctionsRequest* request,
                                                v1::ListFunctionsResponse* response) {
  absl::StatusOr<Principal> who = auth_.Check(*context, Access::kRead, "ListFunctions");
  if (!who.ok()) return ToGrpcRefusal(who.status());
  absl::StatusOr<std::vector<v1::FunctionVersion>> list = registry_.List(request->name());
  if (!list.ok()) return ToGrpcStatus(list.status());
  for (v1::FunctionVersion& v : *list) {
    Redact(v);
    *response->add_functions() = std::move(v);
  }
  return grpc::Status::OK;
}

grpc::Status FunctionGrpcService::DeleteFunction(grpc::ServerContext* context,
                                                 const v1::DeleteFunctionRequest* request,
                                                 v1::DeleteFunctionResponse* response) {
  absl::StatusOr<Principal> who = auth_.Check(*context, Access::kAdmin, "DeleteFunction");
  if (!who.ok()) return ToGrpcRefusal(who.status());
  absl::StatusOr<uint32_t> deleted = registry_.Delete(request->name());
  audit_.Record(*who, "function.delete", request->name(), deleted.status());
  if (!deleted.ok()) return ToGrpcStatus(deleted.status());
  response->set_versions(*deleted);
  return grpc::Status::OK;
}

grpc::Status FunctionGrpcService::FetchCode(grpc::ServerContext* context,
                                            const v1::FetchCodeRequest* request,
                                            grpc::ServerWriter<v1::CodeChunk>* writer) {
  absl::StatusOr<Principal> who = auth_.Check(*context, Access::kWork, "FetchCode");
  if (!who.ok()) return ToGrpcRefusal(who.status());
  absl::StatusOr<std::string> path = registry_.code().PathOf(request->sha256());
  if (!path.ok()) return ToGrpcStatus(path.status());
  std::ifstream in(*path, std::ios::binary);
  if (!in.is_open()) return grpc::Status(grpc::StatusCode::INTERNAL, "cannot open the bundle");
  std::string buf(kChunkBytes, '\0');
  v1::CodeChunk chunk;
  while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0) {
    if (context->IsCancelled()) return grpc::Status::CANCELLED;
    chunk.set_data(buf.data(), static_cast<size_t>(in.gcount()));
    if (!writer->Write(chunk)) return grpc::Status::CANCELLED;
  }
  if (in.bad()) return grpc::Status(grpc::StatusCode::INTERNAL, "reading the bundle failed");
  return grpc::Status::OK;
}

}  // namespace fanout::coordinator
