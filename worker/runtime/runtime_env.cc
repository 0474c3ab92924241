#include "worker/runtime/runtime_env.h"

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace fanout::worker {

std::vector<std::string> LambdaEnvironment(const FunctionConfig& config,
                                           const RuntimeSettings& settings, int port) {
  const std::string stream =
      absl::StrCat(absl::FormatTime("%Y/%m/%d", absl::Now(), absl::UTCTimeZone()), "/[",
                   config.version, "]", NewRequestId().substr(0, 8));
  std::vector<std::string> env = {
      absl::StrCat("AWS_LAMBDA_RUNTIME_API=127.0.0.1:", port),
      absl::StrCat("_HANDLER=", config.handler),
      absl::StrCat("LAMBDA_TASK_ROOT=", config.task_root),
      absl::StrCat("LAMBDA_RUNTIME_DIR=", config.task_root),
      absl::StrCat("AWS_LAMBDA_FUNCTION_NAME=", config.name),
      absl::StrCat("AWS_LAMBDA_FUNCTION_VERSION=", config.version),
      absl::StrCat("AWS_LAMBDA_FUNCTION_MEMORY_SIZE=", config.memory_mb),
      absl::StrCat("AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/", config.name),
      absl::StrCat("AWS_LAMBDA_LOG_STREAM_NAME=", stream),
      "AWS_LAMBDA_INITIALIZATION_TYPE=on-demand",
      absl::StrCat("AWS_REGION=", settings.region),
      absl::StrCat("AWS_DEFAULT_REGION=", settings.region),
      "TZ=:UTC",
      "LANG=en_US.UTF-8",
      absl::StrCat("PATH=", config.task_root, "/bin:/usr/local/bin:/usr/bin:/bin"),
      absl::StrCat("LD_LIBRARY_PATH=", config.task_root, "/lib"),
  };
  for (const auto& [key, value] : config.env) env.push_back(absl::StrCat(key, "=", value));
  return env;
}

std::string FunctionArn(const FunctionConfig& config, const RuntimeSettings& settings) {
  return absl::StrCat("arn:aws:lambda:", settings.region, ":000000000000:function:", config.name,
                      ":", config.version);
}

HeaderList NextHeaders(const std::string& request_id, absl::Time deadline,
                       const std::string& function_arn, const std::string& client_context) {
  absl::BitGen gen;
  const std::string trace =
      absl::StrFormat("Root=1-%08x-%024x;Parent=%016x;Sampled=0",
                      static_cast<uint32_t>(absl::ToUnixSeconds(absl::Now())),
                      absl::Uniform<uint64_t>(gen), absl::Uniform<uint64_t>(gen));
  HeaderList headers = {
      {"Lambda-Runtime-Aws-Request-Id", request_id},
      {"Lambda-Runtime-Deadline-Ms", absl::StrCat(absl::ToUnixMillis(deadline))},
      {"Lambda-Runtime-Invoked-Function-Arn", function_arn},
      {"Lambda-Runtime-Trace-Id", trace},
  };
  if (!client_context.empty()) headers.push_back({"Lambda-Runtime-Client-Context", client_context});
  return headers;
}

std::string NewRequestId() {
  absl::BitGen gen;
  const uint64_t a = absl::Uniform<uint64_t>(gen), b = absl::Uniform<uint64_t>(gen);
  return absl::StrFormat("%08x-%04x-4%03x-%04x-%012x", a >> 32, (a >> 16) & 0xffff, a & 0xfff,
                         0x8000 | (b >> 48 & 0x3fff), b & 0xffffffffffffULL);
}

}  // namespace fanout::worker
