// A gRPC server interceptor that times every call by method into CoordinatorMetrics, from the
// call's arrival to its status being sent.
#ifndef FANOUT_COORDINATOR_METRICS_RPC_TIMER_H_
#define FANOUT_COORDINATOR_METRICS_RPC_TIMER_H_

#include <memory>
#include <vector>

#include "coordinator/metrics/coordinator_metrics.h"
#include "grpcpp/support/server_interceptor.h"

namespace fanout::coordinator {

// For ServerBuilder::experimental().SetInterceptorCreators; `metrics` outlives the server.
std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> RpcTimers(
    CoordinatorMetrics& metrics);

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_METRICS_RPC_TIMER_H_
