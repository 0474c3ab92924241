// Sending a code bundle to the coordinator's FunctionService in chunks (UploadCode): what
// `fanout function create` and the function-overhead benchmark share.
#ifndef FANOUT_CLI_CODE_UPLOAD_H_
#define FANOUT_CLI_CODE_UPLOAD_H_

#include <string>

#include "absl/status/statusor.h"
#include "proto/function_service.grpc.pb.h"

namespace fanout::cli {

// Uploads the bundle file at `path`; the coordinator's answer once it is checked and kept, or its
// refusal (the status code as the coordinator gave it).
absl::StatusOr<v1::CodeRef> UploadBundle(v1::FunctionService::Stub& stub, const std::string& path);

}  // namespace fanout::cli

#endif  // FANOUT_CLI_CODE_UPLOAD_H_
