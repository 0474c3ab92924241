#include "cli/client.h"

#include <cstdlib>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "cli/flags.h"
#include "common/coordinator_channel.h"
#include "common/limits.h"
#include "nlohmann/json.hpp"

namespace fanout::cli {

absl::StatusOr<std::string> CoordinatorAddress() {
  std::string address = absl::GetFlag(FLAGS_coordinator);
  const char* env = std::getenv("FANOUT_COORDINATOR");
  const char* from = "--coordinator";
  if (address.empty() && env != nullptr && *env != '\0')
    address = env, from = "$FANOUT_COORDINATOR";
  if (address.empty()) return std::string("127.0.0.1:7070");
  if (absl::StrContains(address, "://")) {
    return absl::InvalidArgumentError(
        absl::StrCat(from, ": '", address, "' is a URL; give HOST:PORT, e.g. 127.0.0.1:7070"));
  }
  // "host", "10.0.0.5", "[::1]": no port given (a bare IPv6 address has colons of its own).
  const size_t bracket = address.rfind(']');
  const size_t colon = address.rfind(':');
  if (bracket == std::string::npos && colon != std::string::npos && address.find(':') != colon) {
    return absl::StrCat("[", address, "]:7070");  // a bare IPv6 address
  }
  const bool has_port =
      colon != std::string::npos && (bracket == std::string::npos || colon > bracket);
  if (!has_port) {
    absl::StrAppend(&address, ":7070");
    return address;
  }
  // gRPC would wrap 99999 to another port, and dial it.
  uint32_t port = 0;
  if (!absl::SimpleAtoi(address.substr(colon + 1), &port) || port < 1 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat(from, ": '", address.substr(colon + 1), "' is not a port (1-65535)"));
  }
  return address;
}

Client Connect() {
  Client client;
  absl::StatusOr<std::string> address = CoordinatorAddress();
  absl::StatusOr<ClientSecurity> security = ClientSecurityFromFlags();
  for (const absl::Status& s : {address.status(), security.status()}) {
    // Bad flags are the user's to fix before any call.
    if (!s.ok()) std::exit(Fail(s));
  }
  client.address = *address;
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(kMaxMessageBytes);
  client.channel = DialCoordinator(client.address, *security, args);
  client.auth = v1::AuthService::NewStub(client.channel);
  client.jobs = v1::JobService::NewStub(client.channel);
  client.functions = v1::FunctionService::NewStub(client.channel);
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

namespace {

// With --json the error is also a JSON line on stdout, where the script reads the answer.
int Say(const std::string& message, int exit_code) {
  std::cerr << "fanout: " << message << "\n";
  if (absl::GetFlag(FLAGS_json)) {
    std::cout << nlohmann::json{{"error", message}, {"exit_code", exit_code}}.dump() << "\n";
  }
  return exit_code;
}

}  // namespace

int Fail(const Client& client, const grpc::Status& status) {
  switch (status.error_code()) {
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::NOT_FOUND:
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::OUT_OF_RANGE:
      return Say(status.error_message(), kExitUsage);
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::PERMISSION_DENIED:
      return Say(status.error_message(), kExitDenied);
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return Say(absl::StrCat("the coordinator at ", client.address,
                              " did not answer in time: ", status.error_message()),
                 kExitUnavailable);
    case grpc::StatusCode::UNAVAILABLE:
      // A connected channel: the coordinator itself answered so (an S3 store or its disk failed).
      if (client.channel != nullptr && client.channel->GetState(false) == GRPC_CHANNEL_READY) {
        return Say(absl::StrCat("the coordinator at ", client.address,
                                " answered: ", status.error_message()),
                   kExitDependency);
      }
      return Say(absl::StrCat("cannot reach the coordinator at ", client.address, ": ",
                              status.error_message()),
                 kExitUnavailable);
    default:
      return Say(status.error_message(), kExitUnavailable);
  }
}

int Fail(const absl::Status& status) { return Say(std::string(status.message()), kExitUsage); }

}  // namespace fanout::cli
