#include "worker/functions/function_catalog.h"

#include <fstream>

#include "absl/strings/str_cat.h"
#include "common/functions.h"
#include "common/grpc_status.h"
#include "common/proto_time.h"
#include "worker/runtime/exec_handler.h"
#include "worker/runtime/lambda_runtime_handler.h"

namespace fanout::worker {
namespace {

constexpr absl::Duration kDescribeDeadline = absl::Seconds(10);
constexpr absl::Duration kFetchDeadline = absl::Minutes(2);

FunctionConfig ConfigOf(const v1::FunctionVersion& version, std::string task_root) {
  FunctionConfig config;
  config.name = version.name();
  config.version = version.version();
  config.runtime = version.settings().runtime();
  config.handler = version.settings().handler();
  config.memory_mb = version.settings().memory_mb();
  config.timeout = FromProto(version.settings().timeout());
  for (const v1::EnvVar& var : version.settings().env()) {
    config.env.emplace_back(var.name(), var.value());
  }
  config.task_root = std::move(task_root);
  return config;
}

}  // namespace

FunctionCatalog::FunctionCatalog(std::shared_ptr<grpc::Channel> channel, Options options)
    : stub_(v1::FunctionService::NewStub(channel)), pool_(options.pool) {}

absl::StatusOr<std::unique_ptr<FunctionCatalog>> FunctionCatalog::Open(
    std::shared_ptr<grpc::Channel> channel, Options options) {
  std::unique_ptr<FunctionCatalog> catalog(new FunctionCatalog(std::move(channel), options));
  FunctionCatalog* self = catalog.get();
  absl::StatusOr<std::unique_ptr<CodeCache>> cache = CodeCache::Open(
      options.cache_dir, options.cache_bytes,
      [self](const std::string& sha, const std::string& path) {
        return self->FetchCode(sha, path);
      },
      [self](const std::string& code_dir) {
        self->pool_.EndIdle([&](const FunctionConfig& c) { return c.task_root == code_dir; });
      });
  if (!cache.ok()) return cache.status();
  catalog->cache_ = *std::move(cache);
  return catalog;
}

absl::Status FunctionCatalog::FetchCode(const std::string& sha256, const std::string& path) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + kFetchDeadline));
  v1::FetchCodeRequest request;
  request.set_sha256(sha256);
  std::unique_ptr<grpc::ClientReader<v1::CodeChunk>> reader = stub_->FetchCode(&context, request);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  v1::CodeChunk chunk;
  while (reader->Read(&chunk)) out.write(chunk.data().data(), chunk.data().size());
  const grpc::Status status = reader->Finish();
  if (!status.ok()) return FromGrpcStatus(status);
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cache: cannot write ", path));
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Handler>> FunctionCatalog::Build(
    const v1::FunctionVersion& version) {
  FunctionConfig config = ConfigOf(version, cache_->CodeDir(version.code_sha256()));
  std::unique_ptr<Handler> inner;
  if (config.runtime == "provided") {
    inner = std::make_unique<LambdaRuntimeHandler>(config, pool_);
  } else if (config.runtime == "exec") {
    inner = std::make_unique<ExecHandler>(config, pool_.settings());
  } else {
    return absl::FailedPreconditionError(absl::StrCat(
        "function ", config.key(), ": runtime '", config.runtime, "' is not known to this worker"));
  }
  return std::make_unique<PinnedCodeHandler>(*cache_, version.code_sha256(), std::move(inner));
}

absl::StatusOr<Handler*> FunctionCatalog::Resolve(absl::string_view function) {
  {
    absl::MutexLock lock(&mu_);
    auto it = handlers_.find(function);
    if (it != handlers_.end()) return it->second.get();
  }
  absl::StatusOr<FunctionSpec> spec = ParseFunction(function);
  if (!spec.ok()) return spec.status();
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + kDescribeDeadline));
  v1::GetFunctionRequest request;
  request.set_with_secrets(true);  // the runtime's environment needs them
  request.set_name(spec->name);
  request.set_version(spec->version);
  v1::FunctionVersion version;
  const grpc::Status status = stub_->GetFunction(&context, request, &version);
  if (!status.ok()) {
    absl::Status why = FromGrpcStatus(status);
    // Gone from the registry: no worker will find it. Anything else may pass.
    return why.code() == absl::StatusCode::kNotFound
               ? absl::FailedPreconditionError(
                     absl::StrCat("function ", function, ": ", why.message()))
               : absl::UnavailableError(absl::StrCat(
                     "function ", function, ": cannot ask the coordinator: ", why.message()));
  }
  absl::StatusOr<std::unique_ptr<Handler>> handler = Build(version);
  if (!handler.ok()) return handler.status();
  absl::MutexLock lock(&mu_);
  auto [it, added] = handlers_.emplace(std::string(function), *std::move(handler));
  return it->second.get();
}

absl::StatusOr<std::string> PinnedCodeHandler::Invoke(const Event& event, Context& context) {
  absl::StatusOr<std::string> dir = cache_.Pin(sha256_);
  if (!dir.ok()) {
    // Only a bundle that is gone or that does not unpack will not get better; a fetch cut short,
    // a digest that did not match, a full disk may pass.
    const absl::StatusCode code = dir.status().code();
    return absl::Status(
        code == absl::StatusCode::kNotFound || code == absl::StatusCode::kInvalidArgument
            ? absl::StatusCode::kFailedPrecondition
            : absl::StatusCode::kUnavailable,
        absl::StrCat("code ", sha256_.substr(0, 12), ": ", dir.status().message()));
  }
  absl::StatusOr<std::string> result = inner_->Invoke(event, context);
  cache_.Unpin(sha256_);
  return result;
}

}  // namespace fanout::worker
