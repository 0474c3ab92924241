// What a Lambda runtime sees of its platform: the environment a function's process starts with
// and the headers of `invocation/next` — as AWS documents them, so that runtime clients written
// for Lambda run unchanged.
#ifndef FANOUT_WORKER_RUNTIME_RUNTIME_ENV_H_
#define FANOUT_WORKER_RUNTIME_RUNTIME_ENV_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "worker/runtime/function_config.h"
#include "worker/runtime/http_wire.h"

namespace fanout::worker {

// "K=V" strings: AWS_LAMBDA_RUNTIME_API, _HANDLER, LAMBDA_TASK_ROOT, AWS_LAMBDA_FUNCTION_*,
// AWS_LAMBDA_LOG_*, AWS_REGION, TZ, PATH..., then the function's own variables.
std::vector<std::string> LambdaEnvironment(const FunctionConfig& config,
                                           const RuntimeSettings& settings, int port);

// arn:aws:lambda:REGION:000000000000:function:NAME:VERSION
std::string FunctionArn(const FunctionConfig& config, const RuntimeSettings& settings);

// The headers of invocation/next for one invocation.
HeaderList NextHeaders(const std::string& request_id, absl::Time deadline,
                       const std::string& function_arn, const std::string& client_context);

// A new request id (a random UUID, as Lambda's; runtime clients put it in URL paths).
std::string NewRequestId();

}  // namespace fanout::worker

#endif  // FANOUT_WORKER_RUNTIME_RUNTIME_ENV_H_
