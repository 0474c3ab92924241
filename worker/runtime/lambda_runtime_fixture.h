// The fixture of the runtime `provided` tests: bundles written to disk, bootstraps in bash, one
// invocation through a LambdaRuntimeHandler with a real clock.
#ifndef FANOUT_WORKER_RUNTIME_LAMBDA_RUNTIME_FIXTURE_H_
#define FANOUT_WORKER_RUNTIME_LAMBDA_RUNTIME_FIXTURE_H_

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/clock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "worker/runtime/lambda_runtime_handler.h"

namespace fanout::worker {

// From the Lambda docs' custom runtime tutorial (bash; its `set -euo pipefail` needs bash).
inline constexpr char kTutorialBootstrap[] = R"SH(#!/bin/bash
set -euo pipefail
source $LAMBDA_TASK_ROOT/"$(echo $_HANDLER | cut -d. -f1).sh"
while true
do
  HEADERS="$(mktemp)"
  EVENT_DATA=$(curl -sS -LD "$HEADERS" "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/next")
  REQUEST_ID=$(grep -Fi Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
  RESPONSE=$($(echo "$_HANDLER" | cut -d. -f2) "$EVENT_DATA")
  curl "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/$REQUEST_ID/response"  -d "$RESPONSE"
done
)SH";
inline constexpr char kTutorialFunction[] = R"SH(function handler () {
  EVENT_DATA=$1
  echo "$EVENT_DATA" 1>&2;
  RESPONSE="Echoing request: '$EVENT_DATA'"
  echo $RESPONSE
}
)SH";

// A bootstrap whose handler is the shell snippet `body`, run per event with $EVENT, $HEADERS and
// $REQUEST_ID set and $API the runtime's base URL.
inline std::string LoopBootstrap(const std::string& body) {
  return absl::StrCat(R"SH(#!/bin/bash
API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
while true; do
  HEADERS="$(mktemp)"
  EVENT=$(curl -sS -D "$HEADERS" "$API/invocation/next")
  REQUEST_ID=$(grep -Fi Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
)SH",
                      body, "\ndone\n");
}

class LambdaRuntimeTest : public ::testing::Test {
 protected:
  FunctionConfig Bundle(const std::map<std::string, std::string>& files,
                        const std::string& handler = "function.handler") {
    const char* tmp = std::getenv("TEST_TMPDIR");
    const std::string dir = absl::StrCat(tmp ? tmp : "/tmp", "/bundle-", counter_++);
    ::mkdir(dir.c_str(), 0755);
    for (const auto& [name, text] : files) {
      std::ofstream(dir + "/" + name) << text;
      ::chmod((dir + "/" + name).c_str(), name == "bootstrap" ? 0755 : 0644);
    }
    FunctionConfig config;
    config.name = "fn";
    config.handler = handler;
    config.task_root = dir;
    config.timeout = absl::Seconds(20);
    return config;
  }

  RuntimePool::Options PoolOptions() {
    RuntimePool::Options options;
    options.settings.enforce_limits = false;
    return options;
  }

  struct Call {
    absl::StatusOr<std::string> result;
    std::vector<std::string> cursors;
    std::string logs;
  };
  Call Run(LambdaRuntimeHandler& handler, const std::string& item,
           absl::Duration time = absl::Seconds(20),
           absl::Status checkpoint_answer = absl::OkStatus()) {
    Call call;
    Context::Setup setup;
    setup.deadline = MonotonicClock::Get().Now() + time;
    setup.checkpointer = [&](absl::string_view cursor, double) {
      call.cursors.emplace_back(cursor);
      return checkpoint_answer;
    };
    Context context(MonotonicClock::Get(), std::move(setup));
    const nlohmann::json params = nlohmann::json::object({{"p", 1}});
    Event event{item, params, "job-7", 3, 0};
    call.result = handler.Invoke(event, context);
    call.logs = context.logs();
    return call;
  }

  int counter_ = 0;
};

inline nlohmann::json ErrorOf(const absl::Status& status) {
  return nlohmann::json::parse(status.message(), nullptr, false);
}

}  // namespace fanout::worker

#endif  // FANOUT_WORKER_RUNTIME_LAMBDA_RUNTIME_FIXTURE_H_
