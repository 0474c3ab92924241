#include "worker/runtime/http_wire.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace fanout::worker {
namespace {

// A reader over fixed bytes, handed out `step` bytes at a time (as a socket might).
WireReader Over(const std::string& bytes, size_t max_body = 1 << 20, size_t step = 7) {
  auto pos = std::make_shared<size_t>(0);
  return WireReader(
      [bytes, pos, step](char* buf, size_t n) -> long {
        const size_t take = std::min({n, step, bytes.size() - *pos});
        std::copy_n(bytes.data() + *pos, take, buf);
        *pos += take;
        return static_cast<long>(take);
      },
      max_body);
}

TEST(HttpWireTest, ReadsKeepAliveRequestsWithLengthBodies) {
  WireReader reader = Over(
      "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n"
      "POST /a/b?x=1 HTTP/1.1\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello");
  absl::StatusOr<WireRequest> first = reader.Read(nullptr);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->method, "GET");
  EXPECT_EQ(first->path, "/2018-06-01/runtime/invocation/next");
  EXPECT_TRUE(first->keep_alive);
  absl::StatusOr<WireRequest> second = reader.Read(nullptr);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->path, "/a/b");
  EXPECT_EQ(second->body, "hello");
  ASSERT_NE(second->Header("content-type"), nullptr);
  EXPECT_EQ(*second->Header("content-type"), "text/plain");
  EXPECT_EQ(reader.Read(nullptr).status().code(), absl::StatusCode::kOutOfRange);
}

TEST(HttpWireTest, ReadsChunkedBodiesAndTheirTrailers) {
  WireReader reader = Over(
      "POST /r HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTrailer: "
      "Lambda-Runtime-Function-Error-Type"
      "\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\n"
      "Lambda-Runtime-Function-Error-Type: Runtime.Boom\r\n\r\n");
  absl::StatusOr<WireRequest> request = reader.Read(nullptr);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->body, "hello world");
  ASSERT_NE(request->Trailer("lambda-runtime-function-error-type"), nullptr);
  EXPECT_EQ(*request->Trailer("lambda-runtime-function-error-type"), "Runtime.Boom");
}

TEST(HttpWireTest, AnswersExpectContinueBeforeReadingTheBody) {
  WireReader reader =
      Over("POST /r HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok");
  int continues = 0;
  absl::StatusOr<WireRequest> request = reader.Read([&] { ++continues; });
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(continues, 1);
  EXPECT_EQ(request->body, "ok");
}

TEST(HttpWireTest, RefusesBodiesOverTheLimitDeclaredOrChunked) {
  EXPECT_EQ(
      Over("POST /r HTTP/1.1\r\nContent-Length: 11\r\n\r\n", 10).Read(nullptr).status().code(),
      absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(Over("POST /r HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n"
                 "12345678\r\n0\r\n\r\n",
                 10)
                .Read(nullptr)
                .status()
                .code(),
            absl::StatusCode::kResourceExhausted);
}

TEST(HttpWireTest, MalformedRequestsAreInvalidNeverACrash) {
  for (const std::string bad : {
           std::string("GARBAGE\r\n\r\n"),
           std::string("GET nopath HTTP/1.1\r\n\r\n"),
           std::string("GET / HTTP/1.1\r\nno colon here\r\n\r\n"),
           std::string("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n"),
           std::string("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n"),
           std::string("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n"),
           std::string("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
           std::string(
               "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n"),
           std::string("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX"),
           std::string("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nshort"),
           std::string("GET / HTTP/1.1\r\n") + std::string(70000, 'a'),
       }) {
    const absl::StatusCode code = Over(bad, 1 << 20).Read(nullptr).status().code();
    EXPECT_TRUE(code == absl::StatusCode::kInvalidArgument ||
                code == absl::StatusCode::kResourceExhausted)
        << bad.substr(0, 60) << ": " << code;
  }
}

TEST(HttpWireTest, TakesAHeaderOfAWholeXRayErrorCause) {
  const std::string cause(300 * 1024, 'x');
  WireReader reader =
      Over(absl::StrCat("POST /e HTTP/1.1\r\nLambda-Runtime-Function-XRay-Error-Cause: ", cause,
                        "\r\nContent-Length: 2\r\n\r\n{}"),
           1 << 20, 65536);
  absl::StatusOr<WireRequest> request = reader.Read(nullptr);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->Header("lambda-runtime-function-xray-error-cause")->size(), cause.size());
  EXPECT_EQ(request->body, "{}");
}

TEST(HttpWireTest, SerializesWithLengthAndHeaders) {
  WireResponse response;
  response.status = 202;
  response.headers = {{"Lambda-Runtime-Aws-Request-Id", "abc"}};
  response.body = "{}";
  EXPECT_EQ(SerializeResponse(response, false),
            "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
            "Lambda-Runtime-Aws-Request-Id: abc\r\nConnection: close\r\n\r\n{}");
}

}  // namespace
}  // namespace fanout::worker
