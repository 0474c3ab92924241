// Runtime `provided` with real processes: the Lambda docs' bash tutorial bootstrap, error shapes,
// init failures, crashes, time limits (nothing left behind), checkpoints, size and memory limits.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "worker/runtime/lambda_runtime_fixture.h"

namespace fanout::worker {
namespace {

TEST_F(LambdaRuntimeTest, TheDocsTutorialBootstrapAnswersWarmAfterOneColdStart) {
  RuntimePool pool(PoolOptions());
  LambdaRuntimeHandler handler(
      Bundle({{"bootstrap", kTutorialBootstrap}, {"function.sh", kTutorialFunction}}), pool);
  for (int i = 0; i < 3; ++i) {
    Call call = Run(handler, absl::StrCat(R"({"n":)", i, "}"));
    ASSERT_TRUE(call.result.ok()) << call.result.status();
    // Not JSON (the tutorial answers text): carried as a JSON string.
    EXPECT_EQ(*call.result, absl::StrCat(R"("Echoing request: '{\"n\":)", i, R"(}'")"));
  }
  EXPECT_EQ(pool.stats().cold_starts, 1u);
  EXPECT_EQ(pool.stats().warm_invocations, 2u);
}

TEST_F(LambdaRuntimeTest, TheRuntimeSeesLambdasEnvironmentAndHeaders) {
  RuntimePool pool(PoolOptions());
  FunctionConfig config = Bundle({{"bootstrap", LoopBootstrap(R"SH(
  CTX=$(grep -Fi Lambda-Runtime-Client-Context "$HEADERS" | cut -d' ' -f2- | tr -d '\r')
  DL=$(grep -Fi Lambda-Runtime-Deadline-Ms "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
  ARN=$(grep -Fi Lambda-Runtime-Invoked-Function-Arn "$HEADERS" | tr -d '[:space:]' | cut -d: -f2-)
  printf '{"handler":"%s","root":"%s","name":"%s","version":"%s","memory":"%s","group":"%s","tz":"%s","mine":"%s","arn":"%s","deadline":%s,"ctx":%s,"event":%s}' \
    "$_HANDLER" "$LAMBDA_TASK_ROOT" "$AWS_LAMBDA_FUNCTION_NAME" "$AWS_LAMBDA_FUNCTION_VERSION" \
    "$AWS_LAMBDA_FUNCTION_MEMORY_SIZE" "$AWS_LAMBDA_LOG_GROUP_NAME" "$TZ" "$MINE" "$ARN" "$DL" \
    "$CTX" "$EVENT" > /tmp/out.$$
  curl -sS -X POST --data-binary @/tmp/out.$$ "$API/invocation/$REQUEST_ID/response" >/dev/null)SH")}},
                                 "index.handler");
  config.env = {{"MINE", "yes"}};
  config.version = 4;
  config.memory_mb = 256;
  LambdaRuntimeHandler handler(config, pool);
  const absl::Time before = absl::Now();
  Call call = Run(handler, R"({"k":"v"})");
  ASSERT_TRUE(call.result.ok()) << call.result.status();
  const nlohmann::json out = nlohmann::json::parse(*call.result);
  EXPECT_EQ(out["handler"], "index.handler");
  EXPECT_EQ(out["root"], config.task_root);
  EXPECT_EQ(out["name"], "fn");
  EXPECT_EQ(out["version"], "4");
  EXPECT_EQ(out["memory"], "256");
  EXPECT_EQ(out["group"], "/aws/lambda/fn");
  EXPECT_EQ(out["tz"], ":UTC");
  EXPECT_EQ(out["mine"], "yes");
  EXPECT_EQ(out["arn"], "arn:aws:lambda:local:000000000000:function:fn:4");
  EXPECT_NEAR(out["deadline"].get<double>(), absl::ToUnixMillis(before + absl::Seconds(20)), 2000);
  EXPECT_EQ(out["event"]["k"], "v");
  ASSERT_TRUE(out["ctx"]["custom"]["fanout"].is_string());  // a map of strings to typed clients
  const nlohmann::json fanout =
      nlohmann::json::parse(out["ctx"]["custom"]["fanout"].get<std::string>());
  EXPECT_EQ(fanout["job_id"], "job-7");
  EXPECT_EQ(fanout["task"], 3);
  EXPECT_EQ(fanout["params"]["p"], 1);
  EXPECT_TRUE(fanout["cursor"].is_null());
}

TEST_F(LambdaRuntimeTest, FunctionErrorsKeepTheirTypeFromBodyOrHeaderOrNone) {
  RuntimePool pool(PoolOptions());
  LambdaRuntimeHandler handler(Bundle({{"bootstrap", LoopBootstrap(R"SH(
  case "$EVENT" in
    *body*) curl -sS -d '{"errorMessage":"boom","errorType":"TypeError","stackTrace":["at x"]}' "$API/invocation/$REQUEST_ID/error" ;;
    *trace*) curl -sS -d '{"errorMessage":"bad","errorType":"ValueError","trace":["l1"]}' "$API/invocation/$REQUEST_ID/error" ;;
    *header*) curl -sS -H 'Lambda-Runtime-Function-Error-Type: Custom.Err' -d 'plain text' "$API/invocation/$REQUEST_ID/error" ;;
    *) curl -sS -X POST "$API/invocation/$REQUEST_ID/error" ;;
  esac >/dev/null)SH")}}),
                               pool);
  struct Case {
    std::string event, type, message;
  };
  for (const Case& c :
       {Case{R"("body")", "TypeError", "boom"}, Case{R"("trace")", "ValueError", "bad"},
        Case{R"("header")", "Custom.Err", "plain text"}, Case{R"("empty")", "Unhandled", ""}}) {
    Call call = Run(handler, c.event);
    ASSERT_FALSE(call.result.ok()) << c.event;
    EXPECT_EQ(call.result.status().code(), absl::StatusCode::kInternal);  // retryable
    const nlohmann::json error = ErrorOf(call.result.status());
    EXPECT_EQ(error["errorType"], c.type) << c.event;
    EXPECT_EQ(error["errorMessage"], c.message) << c.event;
  }
  EXPECT_EQ(pool.stats().cold_starts, 1u);  // an error does not end the runtime
}

TEST_F(LambdaRuntimeTest, InitErrorsFailTheTaskAfterAFewFreshStarts) {
  RuntimePool pool(PoolOptions());
  LambdaRuntimeHandler posted(Bundle({{"bootstrap", R"SH(#!/bin/bash
curl -sS -H 'Lambda-Runtime-Function-Error-Type: Runtime.HandlerNotFound' \
  -d '{"errorMessage":"index.nope is undefined","errorType":"Runtime.HandlerNotFound"}' \
  "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/init/error" >/dev/null
exit 1
)SH"}}),
                              pool);
  Call call = Run(posted, "{}");
  EXPECT_EQ(call.result.status().code(), absl::StatusCode::kFailedPrecondition);  // fatal
  EXPECT_EQ(ErrorOf(call.result.status())["errorType"], "Runtime.HandlerNotFound");
  EXPECT_EQ(pool.stats().cold_starts, static_cast<uint64_t>(kInitAttempts));

  LambdaRuntimeHandler exits(Bundle({{"bootstrap", "#!/bin/bash\nexit 3\n"}}), pool);
  call = Run(exits, "{}");
  EXPECT_EQ(call.result.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorOf(call.result.status())["errorType"], "Runtime.InitError");
  EXPECT_NE(ErrorOf(call.result.status())["errorMessage"].get<std::string>().find("exit 3"),
            std::string::npos);
}

TEST_F(LambdaRuntimeTest, ACrashMidInvocationFailsItAndTheNextRunsOnAFreshRuntime) {
  RuntimePool pool(PoolOptions());
  LambdaRuntimeHandler handler(Bundle({{"bootstrap", LoopBootstrap(R"SH(
  if [ "$EVENT" = '"crash"' ]; then kill -9 $$; fi
  curl -sS -d "$EVENT" "$API/invocation/$REQUEST_ID/response" >/dev/null)SH")}}),
                               pool);
  Call crashed = Run(handler, R"("crash")");
  EXPECT_EQ(crashed.result.status().code(), absl::StatusCode::kInternal);  // retryable
  EXPECT_EQ(ErrorOf(crashed.result.status())["errorType"], "Runtime.ExitError");
  Call next = Run(handler, R"("fine")");
  ASSERT_TRUE(next.result.ok()) << next.result.status();
  EXPECT_EQ(*next.result, R"("fine")");
  EXPECT_EQ(pool.stats().cold_starts, 2u);
}

TEST_F(LambdaRuntimeTest, AtTheDeadlineTheWholeProcessGroupIsKilled) {
  RuntimePool pool(PoolOptions());
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string pid_file = absl::StrCat(tmp ? tmp : "/tmp", "/stray.pid");
  LambdaRuntimeHandler handler(Bundle({{"bootstrap", LoopBootstrap(absl::StrCat(R"SH(
  sleep 1000 & echo $! > )SH",
                                                                                pid_file, R"SH(
  sleep 1000)SH"))}}),
                               pool);
  const absl::Time start = absl::Now();
  Call call = Run(handler, "{}", absl::Milliseconds(500));
  EXPECT_EQ(call.result.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(ErrorOf(call.result.status())["errorType"], "Sandbox.Timedout");
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));
  int stray = 0;
  std::ifstream(pid_file) >> stray;
  ASSERT_GT(stray, 0);
  // Killed, and reaped by whoever adopted it: no such process within a moment.
  const absl::Time until = absl::Now() + absl::Seconds(5);
  while (::kill(stray, 0) == 0 && absl::Now() < until) absl::SleepFor(absl::Milliseconds(10));
  EXPECT_NE(::kill(stray, 0), 0) << "the background process " << stray << " outlived its runtime";
  EXPECT_EQ(pool.live(), 0u);
}

TEST_F(LambdaRuntimeTest, CheckpointsAreAnsweredOnceKeptAndALostLeaseSaysStop) {
  RuntimePool pool(PoolOptions());
  LambdaRuntimeHandler handler(Bundle({{"bootstrap", LoopBootstrap(R"SH(
  CODE=$(curl -sS -o /dev/null -w '%{http_code}' -d '{"cursor":{"offset":42},"progress":0.5}' \
    "http://${AWS_LAMBDA_RUNTIME_API}/fanout/v1/invocation/$REQUEST_ID/checkpoint")
  curl -sS -d "{\"code\":$CODE}" "$API/invocation/$REQUEST_ID/response" >/dev/null)SH")}}),
                               pool);
  Call kept = Run(handler, "{}");
  ASSERT_TRUE(kept.result.ok()) << kept.result.status();
  EXPECT_EQ(*kept.result, R"({"code":200})");
  ASSERT_EQ(kept.cursors.size(), 1u);
  EXPECT_EQ(kept.cursors[0], R"({"offset":42})");
  Call lost = Run(handler, "{}", absl::Seconds(20), absl::AbortedError("lease lost"));
  ASSERT_TRUE(lost.result.ok());
  EXPECT_EQ(*lost.result, R"({"code":409})");
  Call cancelled = Run(handler, "{}", absl::Seconds(20), absl::CancelledError("cancelled"));
  EXPECT_EQ(*cancelled.result, R"({"code":410})");
}

TEST_F(LambdaRuntimeTest, AResponseOverSixMebibytesIsAClearError) {
  RuntimePool pool(PoolOptions());
  LambdaRuntimeHandler handler(Bundle({{"bootstrap", LoopBootstrap(R"SH(
  head -c 7000000 /dev/zero | tr '\0' 'a' > /tmp/big.$$
  curl -sS --data-binary @/tmp/big.$$ "$API/invocation/$REQUEST_ID/response" >/dev/null || true)SH")}}),
                               pool);
  Call call = Run(handler, "{}");
  EXPECT_EQ(call.result.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorOf(call.result.status())["errorType"], "Function.ResponseSizeTooLarge");
}

TEST_F(LambdaRuntimeTest, StreamedResponsesAndErrorsInTrailersAreRead) {
  RuntimePool pool(PoolOptions());
  // A raw client: chunked bodies with trailers, as response streaming sends them.
  LambdaRuntimeHandler handler(Bundle({{"bootstrap", R"PY(#!/usr/bin/python3
import os, socket
host, port = os.environ["AWS_LAMBDA_RUNTIME_API"].split(":")
s = socket.create_connection((host, int(port)))
f = s.makefile("rb")
def reply():
    status = f.readline(); length = 0
    while True:
        line = f.readline().strip()
        if not line: break
        k, v = line.decode().split(":", 1)
        if k.lower() == "content-length": length = int(v)
        if k.lower() == "lambda-runtime-aws-request-id": reply.rid = v.strip()
    return f.read(length)
while True:
    s.sendall(b"GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n")
    event = reply()
    trailer = b"Lambda-Runtime-Function-Error-Type: Stream.Broke\r\nLambda-Runtime-Function-Error-Body: eyJlcnJvck1lc3NhZ2UiOiJtaWR3YXkifQ==\r\n" if b"fail" in event else b""
    s.sendall(b"POST /2018-06-01/runtime/invocation/" + reply.rid.encode() + b"/response HTTP/1.1\r\nHost: x\r\n"
              b"Lambda-Runtime-Function-Response-Mode: streaming\r\nTransfer-Encoding: chunked\r\n"
              b"Content-Type: text/plain\r\n\r\n3\r\npar\r\n2\r\nts\r\n0\r\n" + trailer + b"\r\n")
    reply()
)PY"}}),
                               pool);
  Call ok = Run(handler, R"("go")");
  ASSERT_TRUE(ok.result.ok()) << ok.result.status();
  EXPECT_EQ(*ok.result, R"("parts")");
  Call failed = Run(handler, R"("fail")");
  EXPECT_EQ(ErrorOf(failed.result.status())["errorType"], "Stream.Broke");
  EXPECT_EQ(ErrorOf(failed.result.status())["errorMessage"], "midway");
  EXPECT_EQ(pool.stats().cold_starts, 1u);  // one keep-alive connection throughout
}

TEST_F(LambdaRuntimeTest, AMemoryHogIsKilledAsOutOfMemory) {
  RuntimePool::Options options = PoolOptions();
  options.settings.enforce_limits = true;
  absl::StatusOr<std::unique_ptr<CgroupLimits>> probe = CgroupLimits::Create("fanout-probe", 64);
  if (!probe.ok()) GTEST_SKIP() << "no writable cgroup memory controller: " << probe.status();
  probe->reset();
  RuntimePool pool(options);
  FunctionConfig config = Bundle({{"bootstrap", LoopBootstrap(R"SH(
  python3 -c 'b = bytearray(400 * 1024 * 1024); print(len(b))'
  curl -sS -d '"survived"' "$API/invocation/$REQUEST_ID/response" >/dev/null)SH")}});
  config.memory_mb = 64;
  LambdaRuntimeHandler handler(config, pool);
  Call call = Run(handler, "{}");
  ASSERT_FALSE(call.result.ok()) << *call.result;
  EXPECT_EQ(ErrorOf(call.result.status())["errorType"], "Runtime.OutOfMemory");
  EXPECT_EQ(call.result.status().code(), absl::StatusCode::kInternal);
}

}  // namespace
}  // namespace fanout::worker
