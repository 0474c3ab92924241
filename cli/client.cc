#include "cli/client.h"

#include <cstdlib>
#include <iostream>

#include "absl/flags/flag.h"
#include "cli/flags.h"
#include "common/coordinator_channel.h"
#include "common/limits.h"

namespace fanout::cli {

std::string CoordinatorAddress() {
  std::string address = absl::GetFlag(FLAGS_coordinator);
  if (!address.empty()) return address;
  const char* env = std::getenv("FANOUT_COORDINATOR");
  return env != nullptr && *env != '\0' ? env : "127.0.0.1:7070";
}

Client Connect() {
  Client client;
  client.address = CoordinatorAddress();
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(kMaxMessageBytes);
  absl::StatusOr<ClientSecurity> security = ClientSecurityFromFlags();
  if (!security.ok()) {
    // Bad flags are the user's to fix before any call: said once, and the calls then fail plainly.
    std::cerr << "fanout: " << security.status().message() << "\n";
    std::exit(kExitUsage);
  }
  auto channel = DialCoordinator(client.address, *security, args);
  client.auth = v1::AuthService::NewStub(channel);
  client.jobs = v1::JobService::NewStub(channel);
  client.functions = v1::FunctionService::NewStub(channel);
  return client;
}

std::unique_ptr<grpc::ClientContext> CallContext() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  return context;
}

grpc::Status GetJob(const Client& client, const std::string& job_id, v1::Job* job) {
  v1::GetJobRequest request;
  request.set_job_id(job_id);
  return client.jobs->GetJob(CallContext().get(), request, job);
}

int Fail(const Client& client, const grpc::Status& status) {
  switch (status.error_code()) {
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::NOT_FOUND:
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::FAILED_PRECONDITION:
      std::cerr << "fanout: " << status.error_message() << "\n";
      return kExitUsage;
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::PERMISSION_DENIED:
      std::cerr << "fanout: " << status.error_message() << "\n";
      return kExitDenied;
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      std::cerr << "fanout: cannot reach the coordinator at " << client.address << ": "
                << status.error_message() << "\n";
      return kExitUnavailable;
    default:
      std::cerr << "fanout: " << status.error_message() << "\n";
      return kExitUnavailable;
  }
}

int Fail(const absl::Status& status) {
  std::cerr << "fanout: " << status.message() << "\n";
  return kExitUsage;
}

}  // namespace fanout::cli
