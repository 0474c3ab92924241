// Runtime `provided` as runtime clients other than a bash loop speak it: Node's aws-lambda-ric
// unmodified, and what typed clients (Go, Java, .NET, Rust) send and expect — generic error-type
// headers, big X-Ray headers, a small ASCII client context, streamed HTTP-integration responses —
// and output attributed to the invocation it was printed in.
#include <cstdlib>

#include "worker/runtime/lambda_runtime_fixture.h"

namespace fanout::worker {
namespace {

// Node's aws-lambda-ric from npm, unmodified (FANOUT_RIC_MODULES: a node_modules holding it).
TEST_F(LambdaRuntimeTest, NodesRuntimeInterfaceClientRunsHandlersAndReportsTheirErrors) {
  const char* modules = std::getenv("FANOUT_RIC_MODULES");
  if (modules == nullptr) GTEST_SKIP() << "FANOUT_RIC_MODULES is not set";
  RuntimePool pool(PoolOptions());
  FunctionConfig config = Bundle({{"bootstrap", R"SH(#!/bin/sh
exec node "$RIC_MODULES/aws-lambda-ric/index.mjs" "$_HANDLER"
)SH"},
                                  {"index.mjs", R"JS(
export const handler = async (event, context) => {
  if (event.throw) { const e = new TypeError("bad " + event.throw); throw e; }
  console.log("handling", JSON.stringify(event));
  return {echo: event, fanout: JSON.parse(context.clientContext.custom.fanout), id: context.awsRequestId,
          left: context.getRemainingTimeInMillis() > 0, name: context.functionName};
};
)JS"}},
                                 "index.handler");
  config.env = {{"RIC_MODULES", modules}};
  LambdaRuntimeHandler handler(config, pool);
  Call call = Run(handler, R"({"n":1})");
  ASSERT_TRUE(call.result.ok()) << call.result.status();
  nlohmann::json out = nlohmann::json::parse(*call.result);
  EXPECT_EQ(out["echo"]["n"], 1);
  EXPECT_EQ(out["fanout"]["job_id"], "job-7");
  EXPECT_EQ(out["left"], true);
  EXPECT_EQ(out["name"], "fn");
  Call thrown = Run(handler, R"({"throw":"input"})");
  ASSERT_FALSE(thrown.result.ok());
  EXPECT_EQ(ErrorOf(thrown.result.status())["errorType"], "TypeError");
  EXPECT_EQ(ErrorOf(thrown.result.status())["errorMessage"], "bad input");
  EXPECT_EQ(pool.stats().cold_starts, 1u);

  FunctionConfig missing = config;
  missing.handler = "index.nope";
  missing.name = "missing";
  LambdaRuntimeHandler not_found(missing, pool);
  Call none = Run(not_found, "{}");
  EXPECT_EQ(none.result.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorOf(none.result.status())["errorType"], "Runtime.HandlerNotFound")
      << none.result.status();
}

// What typed clients send: a generic error-type header (Java's Runtime.UserException) with the
// exception's own type in the body, and the whole X-Ray cause in a header of its own.
TEST_F(LambdaRuntimeTest, TheBodysErrorTypeWinsOverAGenericHeaderAndBigHeadersAreTaken) {
  RuntimePool pool(PoolOptions());
  LambdaRuntimeHandler handler(Bundle({{"bootstrap", LoopBootstrap(R"SH(
  CAUSE=$(head -c 100000 /dev/zero | tr '\0' 'c')
  curl -sS -H 'Lambda-Runtime-Function-Error-Type: Runtime.UserException' \
    -H "Lambda-Runtime-Function-XRay-Error-Cause: {\"cause\":\"$CAUSE\"}" \
    -d '{"errorMessage":"no such file","errorType":"java.io.FileNotFoundException"}' \
    "$API/invocation/$REQUEST_ID/error" >/dev/null)SH")}}),
                               pool);
  Call call = Run(handler, "{}");
  ASSERT_FALSE(call.result.ok());
  EXPECT_EQ(ErrorOf(call.result.status())["errorType"], "java.io.FileNotFoundException");
  EXPECT_EQ(ErrorOf(call.result.status())["errorMessage"], "no such file");
  EXPECT_EQ(pool.stats().exits, 0u);  // the runtime was not refused: it lives on
}

// The client context stays within what clients take (Lambda's 3,583 bytes, visible ASCII);
// what does not fit is served at context_path.
TEST_F(LambdaRuntimeTest, ABigOrNonAsciiContextStaysASmallAsciiHeaderWithTheRestByPath) {
  RuntimePool pool(PoolOptions());
  LambdaRuntimeHandler handler(Bundle({{"bootstrap", LoopBootstrap(R"SH(
  CTX=$(grep -Fi Lambda-Runtime-Client-Context "$HEADERS" | cut -d' ' -f2- | tr -d '\r')
  printf '%s' "$CTX" > /tmp/ctx.$$
  LC_ALL=C grep -q '[^ -~]' /tmp/ctx.$$ && ASCII=false || ASCII=true
  FULL=$(curl -sS "http://${AWS_LAMBDA_RUNTIME_API}/fanout/v1/invocation/$REQUEST_ID/context")
  printf '{"ascii":%s,"header_bytes":%d,"ctx":%s,"full":%s}' "$ASCII" "${#CTX}" "$CTX" "$FULL" > /tmp/out.$$
  curl -sS -X POST --data-binary @/tmp/out.$$ "$API/invocation/$REQUEST_ID/response" >/dev/null)SH")}}),
                               pool);
  Context::Setup setup;
  setup.deadline = MonotonicClock::Get().Now() + absl::Seconds(20);
  setup.resume_cursor = R"({"offset":7})";
  Context context(MonotonicClock::Get(), std::move(setup));
  const nlohmann::json params = {{"city", "Zürich"}, {"blob", std::string(10000, 'b')}};
  Event event{"{}", params, "job-8", 1, 0};
  absl::StatusOr<std::string> result = handler.Invoke(event, context);
  ASSERT_TRUE(result.ok()) << result.status();
  const nlohmann::json out = nlohmann::json::parse(*result);
  EXPECT_EQ(out["ascii"], true);
  EXPECT_LE(out["header_bytes"].get<int>(), 2600);
  const nlohmann::json header =
      nlohmann::json::parse(out["ctx"]["custom"]["fanout"].get<std::string>());
  EXPECT_EQ(header["truncated"], true);
  EXPECT_FALSE(header.contains("params"));
  EXPECT_EQ(header["job_id"], "job-8");
  EXPECT_EQ(out["full"]["params"]["city"], "Zürich");
  EXPECT_EQ(out["full"]["cursor"]["offset"], 7);
}

// Rust's streamed HTTP-integration response: a JSON prelude and 8 NULs before the payload.
TEST_F(LambdaRuntimeTest, AStreamedHttpIntegrationResponseIsItsPayload) {
  RuntimePool pool(PoolOptions());
  LambdaRuntimeHandler handler(Bundle({{"bootstrap", LoopBootstrap(R"SH(
  { printf '{"statusCode":200}'; head -c 8 /dev/zero; printf '{"made":"by rust"}'; } > /tmp/out.$$
  curl -sS -H 'Content-Type: application/vnd.awslambda.http-integration-response' \
    -H 'Lambda-Runtime-Function-Response-Mode: streaming' -H 'Transfer-Encoding: chunked' \
    --data-binary @/tmp/out.$$ "$API/invocation/$REQUEST_ID/response" >/dev/null)SH")}}),
                               pool);
  Call call = Run(handler, "{}");
  ASSERT_TRUE(call.result.ok()) << call.result.status();
  EXPECT_EQ(*call.result, R"({"made":"by rust"})");
}

TEST_F(LambdaRuntimeTest, WhatARuntimePrintsBeforeItAnswersIsThatInvocationsLog) {
  RuntimePool::Options options = PoolOptions();
  options.settings.log_dir = absl::StrCat(std::getenv("TEST_TMPDIR"), "/logs");  // a slower sink
  RuntimePool pool(options);
  // A lot of output, then the answer at once on a kept-alive connection: the pipe still holds the
  // end of the output when the answer arrives.
  LambdaRuntimeHandler handler(Bundle({{"bootstrap", R"PY(#!/usr/bin/python3
import http.client, os, sys
api = http.client.HTTPConnection(os.environ["AWS_LAMBDA_RUNTIME_API"])
while True:
    api.request("GET", "/2018-06-01/runtime/invocation/next")
    r = api.getresponse()
    event = r.read().decode()
    rid = r.headers["Lambda-Runtime-Aws-Request-Id"]
    sys.stdout.write("f" * 300000 + "\nhandled " + event + "\n")
    sys.stdout.flush()
    api.request("POST", "/2018-06-01/runtime/invocation/" + rid + "/response", body=event)
    api.getresponse().read()
)PY"}}),
                               pool);
  for (int i = 0; i < 30; ++i) {
    Call call = Run(handler, absl::StrCat(i));
    ASSERT_TRUE(call.result.ok()) << call.result.status();
    EXPECT_NE(call.logs.find(absl::StrCat("handled ", i, "\n")), std::string::npos) << call.logs;
    EXPECT_EQ(call.logs.find(absl::StrCat("handled ", i - 1, "\n")), std::string::npos)
        << call.logs;
  }
}

// What a runtime posts is outside input: every class of bad checkpoint body is a 400 that keeps
// nothing; bytes that are not UTF-8 in a response or an error are carried or replaced, never a
// crash.
TEST_F(LambdaRuntimeTest, BadBytesFromARuntimeAreRefusedOrCarriedByClass) {
  RuntimePool pool(PoolOptions());
  LambdaRuntimeHandler handler(Bundle({{"bootstrap", LoopBootstrap(R"SH(
  CP="http://${AWS_LAMBDA_RUNTIME_API}/fanout/v1/invocation/$REQUEST_ID/checkpoint"
  post() { curl -sS -o /dev/null -w '%{http_code}' --data-binary @"$1" "$CP"; }
  printf 'not json' > /tmp/b1.$$; printf '[1]' > /tmp/b2.$$; printf '{"progress":1}' > /tmp/b3.$$
  printf '{"cursor":"\xff\xfe"}' > /tmp/b4.$$; : > /tmp/b5.$$
  python3 -c 'print("{\"cursor\":" + "[" * 100 + "]" * 100 + "}")' > /tmp/b6.$$
  CODES="$(post /tmp/b1.$$) $(post /tmp/b2.$$) $(post /tmp/b3.$$) $(post /tmp/b4.$$) $(post /tmp/b5.$$) $(post /tmp/b6.$$)"
  case "$EVENT" in
    *binary*) printf 'caf\xe9 \x00\x01' > /tmp/r.$$
              curl -sS --data-binary @/tmp/r.$$ "$API/invocation/$REQUEST_ID/response" >/dev/null ;;
    *error*) printf 'bad \xff byte' > /tmp/r.$$
             curl -sS --data-binary @/tmp/r.$$ "$API/invocation/$REQUEST_ID/error" >/dev/null ;;
    *empty*) curl -sS -X POST "$API/invocation/$REQUEST_ID/response" >/dev/null ;;
    *) curl -sS -d "\"$CODES\"" "$API/invocation/$REQUEST_ID/response" >/dev/null ;;
  esac)SH")}}),
                               pool);
  Call codes = Run(handler, R"("codes")");
  ASSERT_TRUE(codes.result.ok()) << codes.result.status();
  EXPECT_EQ(*codes.result, R"("400 400 400 400 400 400")");
  EXPECT_TRUE(codes.cursors.empty());  // nothing was committed
  Call binary = Run(handler, R"("binary")");
  ASSERT_TRUE(binary.result.ok()) << binary.result.status();
  EXPECT_EQ(nlohmann::json::parse(*binary.result)["base64"], "Y2Fm6SAAAQ==");
  Call error = Run(handler, R"("error")");
  ASSERT_FALSE(error.result.ok());
  EXPECT_EQ(ErrorOf(error.result.status())["errorMessage"], "bad \uFFFD byte");
  Call empty = Run(handler, R"("empty")");
  ASSERT_TRUE(empty.result.ok());
  EXPECT_EQ(*empty.result, "null");
  EXPECT_EQ(pool.stats().exits, 0u);
}

}  // namespace
}  // namespace fanout::worker
