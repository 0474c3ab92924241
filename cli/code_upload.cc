#include "cli/code_upload.h"

#include <chrono>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"

namespace fanout::cli {

absl::StatusOr<v1::CodeRef> UploadBundle(v1::FunctionService::Stub& stub, const std::string& path) {
  constexpr size_t kChunkBytes = 1 << 20;
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("--code: cannot read ", path));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(5));
  v1::CodeRef ref;
  std::unique_ptr<grpc::ClientWriter<v1::CodeChunk>> writer = stub.UploadCode(&context, &ref);
  std::string buf(kChunkBytes, '\0');
  v1::CodeChunk chunk;
  while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0) {
    chunk.set_data(buf.data(), static_cast<size_t>(in.gcount()));
    if (!writer->Write(chunk)) break;  // refused: Finish says why
  }
  writer->WritesDone();
  if (const grpc::Status status = writer->Finish(); !status.ok()) return FromGrpcStatus(status);
  return ref;
}

}  // namespace fanout::cli
