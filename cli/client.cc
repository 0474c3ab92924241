#include "cli/client.h"

#include <cstdlib>
#include <iostream>

#include "absl/flags/flag.h"
#include "cli/flags.h"
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
  auto channel =
      grpc::CreateCustomChannel(client.address, grpc::InsecureChannelCredentials(), args);
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
