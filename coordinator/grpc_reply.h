// Finishing a unary callback call from an absl::StatusOr: the one conversion every adapter needs.
#ifndef FANOUT_COORDINATOR_GRPC_REPLY_H_
#define FANOUT_COORDINATOR_GRPC_REPLY_H_

#include <utility>

#include "absl/status/statusor.h"
#include "common/grpc_status.h"
#include "grpcpp/grpcpp.h"

namespace fanout::coordinator {

template <typename T>
grpc::ServerUnaryReactor* Reply(grpc::CallbackServerContext* context, absl::StatusOr<T> result,
                                T* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (result.ok()) *response = std::move(*result);
  reactor->Finish(ToGrpcStatus(result.status()));
  return reactor;
}

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_GRPC_REPLY_H_
