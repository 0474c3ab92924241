// The CLI's connection to a coordinator, and how its commands report failures.
#ifndef FANOUT_CLI_CLIENT_H_
#define FANOUT_CLI_CLIENT_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "grpcpp/grpcpp.h"
#include "proto/auth_service.grpc.pb.h"
#include "proto/function_service.grpc.pb.h"
#include "proto/job_service.grpc.pb.h"

namespace fanout::cli {

// Exit codes of every command.
inline constexpr int kExitOk = 0;
inline constexpr int kExitJobNotSucceeded = 1;
inline constexpr int kExitUsage = 2;        // bad flags or input
inline constexpr int kExitUnavailable = 3;  // coordinator unreachable or failing
inline constexpr int kExitDenied = 4;       // no token, or its role may not make the call
// The coordinator answered that something it depends on (S3, its disk) failed: not its fault, not
// the request's, and not a network problem between here and the coordinator.
inline constexpr int kExitDependency = 5;
inline constexpr int kExitInterrupted = 130;  // Ctrl-C (interrupt.h)

struct Client {
  std::string address;
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::JobService::Stub> jobs;
  std::unique_ptr<v1::FunctionService::Stub> functions;
  std::unique_ptr<v1::AuthService::Stub> auth;
};

// --coordinator, else $FANOUT_COORDINATOR, else 127.0.0.1:7070; HOST alone means HOST:7070. A URL
// (http://...) is refused: gRPC's resolver would otherwise fail on it with a confusing message.
absl::StatusOr<std::string> CoordinatorAddress();
Client Connect();
// A context for one unary call.
std::unique_ptr<grpc::ClientContext> CallContext();
// GetJob with CallContext's deadline.
grpc::Status GetJob(const Client& client, const std::string& job_id, v1::Job* job);
// Prints "fanout: ..." for a failed call (with --json: {"error", "exit_code"} on stdout) and
// returns the exit code it deserves.
int Fail(const Client& client, const grpc::Status& status);
int Fail(const absl::Status& status);

}  // namespace fanout::cli

#endif  // FANOUT_CLI_CLIENT_H_
