// A gRPC server on 127.0.0.1, port 0, for worker tests that play the coordinator with a small
// service of their own.
#ifndef FANOUT_WORKER_LOOPBACK_SERVER_H_
#define FANOUT_WORKER_LOOPBACK_SERVER_H_

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "grpcpp/grpcpp.h"

namespace fanout::worker {

struct LoopbackServer {
  std::unique_ptr<grpc::Server> server;  // null if it could not start
  int port = 0;
  std::string address() const { return absl::StrCat("127.0.0.1:", port); }
};

inline LoopbackServer StartLoopbackServer(grpc::Service& service) {
  LoopbackServer s;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &s.port);
  builder.RegisterService(&service);
  s.server = builder.BuildAndStart();
  if (s.port == 0) s.server.reset();
  return s;
}

}  // namespace fanout::worker

#endif  // FANOUT_WORKER_LOOPBACK_SERVER_H_
