#include "coordinator/metrics/rpc_timer.h"

#include <string>

#include "absl/time/clock.h"

namespace fanout::coordinator {
namespace {

using grpc::experimental::InterceptionHookPoints;

class RpcTimer : public grpc::experimental::Interceptor {
 public:
  RpcTimer(grpc::experimental::ServerRpcInfo* info, CoordinatorMetrics& metrics)
      : method_(info->method() != nullptr ? info->method() : "unknown"),
        start_(absl::Now()),
        metrics_(metrics) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      metrics_.Rpc(method_, absl::Now() - start_);
    }
    methods->Proceed();
  }

 private:
  const char* const method_;  // gRPC's, valid for the call (which the interceptor lives for)
  const absl::Time start_;
  CoordinatorMetrics& metrics_;
};

class RpcTimerFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit RpcTimerFactory(CoordinatorMetrics& metrics) : metrics_(metrics) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new RpcTimer(info, metrics_);
  }

 private:
  CoordinatorMetrics& metrics_;
};

}  // namespace

std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> RpcTimers(
    CoordinatorMetrics& metrics) {
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> out;
  out.push_back(std::make_unique<RpcTimerFactory>(metrics));
  return out;
}

}  // namespace fanout::coordinator
