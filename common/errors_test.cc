#include "common/errors.h"

#include "gtest/gtest.h"

namespace fanout {
namespace {

TEST(ErrorsTest, StatusCodesMapToTheTaxonomy) {
  EXPECT_EQ(ErrorCodeFromStatus(absl::UnavailableError("x")), v1::ERROR_RETRYABLE);
  EXPECT_EQ(ErrorCodeFromStatus(absl::DeadlineExceededError("x")), v1::ERROR_TIMEOUT);
  EXPECT_EQ(ErrorCodeFromStatus(absl::CancelledError("x")), v1::ERROR_CANCELLED);
  EXPECT_EQ(ErrorCodeFromStatus(absl::InvalidArgumentError("x")), v1::ERROR_INVALID_INPUT);
  EXPECT_EQ(ErrorCodeFromStatus(absl::FailedPreconditionError("x")), v1::ERROR_FATAL);
  EXPECT_EQ(ErrorCodeFromStatus(absl::NotFoundError("x")), v1::ERROR_FATAL);
}

TEST(ErrorsTest, EveryStatusCodeHasItsClass) {
  using C = absl::StatusCode;
  const std::vector<std::pair<C, v1::ErrorCode>> table = {
      {C::kCancelled, v1::ERROR_CANCELLED},
      {C::kUnknown, v1::ERROR_RETRYABLE},
      {C::kInvalidArgument, v1::ERROR_INVALID_INPUT},
      {C::kDeadlineExceeded, v1::ERROR_TIMEOUT},
      {C::kNotFound, v1::ERROR_FATAL},
      {C::kAlreadyExists, v1::ERROR_FATAL},
      {C::kPermissionDenied, v1::ERROR_FATAL},
      {C::kResourceExhausted, v1::ERROR_RETRYABLE},
      {C::kFailedPrecondition, v1::ERROR_FATAL},
      {C::kAborted, v1::ERROR_RETRYABLE},
      {C::kOutOfRange, v1::ERROR_INVALID_INPUT},
      {C::kUnimplemented, v1::ERROR_FATAL},
      {C::kInternal, v1::ERROR_RETRYABLE},
      {C::kUnavailable, v1::ERROR_RETRYABLE},
      {C::kDataLoss, v1::ERROR_RETRYABLE},
      {C::kUnauthenticated, v1::ERROR_FATAL}};
  EXPECT_EQ(table.size(), 16u) << "every code but OK";
  for (const auto& [code, error] : table) {
    EXPECT_EQ(ErrorCodeFromStatus(absl::Status(code, "m")), error)
        << absl::StatusCodeToString(code);
  }
}

TEST(ErrorsTest, OnlyCallsThatMayGoThroughUnchangedAreTransient) {
  using C = absl::StatusCode;
  for (C code : {C::kUnavailable, C::kDeadlineExceeded, C::kAborted, C::kCancelled, C::kUnknown,
                 C::kPermissionDenied, C::kUnauthenticated}) {
    EXPECT_TRUE(IsTransientCallFailure(code)) << absl::StatusCodeToString(code);
  }
  for (C code :
       {C::kResourceExhausted, C::kInvalidArgument, C::kInternal, C::kUnimplemented,
        C::kFailedPrecondition, C::kOutOfRange, C::kDataLoss, C::kNotFound, C::kAlreadyExists}) {
    EXPECT_FALSE(IsTransientCallFailure(code)) << absl::StatusCodeToString(code);
  }
}

TEST(ErrorsTest, EveryCodeRoundTripsThroughItsStatusCode) {
  for (v1::ErrorCode code : {v1::ERROR_RETRYABLE, v1::ERROR_FATAL, v1::ERROR_TIMEOUT,
                             v1::ERROR_CANCELLED, v1::ERROR_INVALID_INPUT}) {
    EXPECT_EQ(ErrorCodeFromStatus(absl::Status(ToStatusCode(code), "m")), code)
        << ErrorCodeName(code);
  }
}

TEST(ErrorsTest, GrpcNamesMatchTheStatusCodes) {
  for (v1::ErrorCode code : {v1::ERROR_RETRYABLE, v1::ERROR_FATAL, v1::ERROR_TIMEOUT,
                             v1::ERROR_CANCELLED, v1::ERROR_INVALID_INPUT}) {
    EXPECT_EQ(GrpcCodeName(code), absl::StatusCodeToString(ToStatusCode(code)));
  }
}

TEST(ErrorsTest, HttpStatuses) {
  EXPECT_EQ(ToHttpStatus(v1::ERROR_RETRYABLE), 503);
  EXPECT_EQ(ToHttpStatus(v1::ERROR_FATAL), 500);
  EXPECT_EQ(ToHttpStatus(v1::ERROR_TIMEOUT), 504);
  EXPECT_EQ(ToHttpStatus(v1::ERROR_INVALID_INPUT), 400);
  EXPECT_EQ(ToHttpStatus(v1::ERROR_CANCELLED), 499);
}

TEST(ErrorsTest, OnlyRetryableAndTimeoutAreRetried) {
  EXPECT_TRUE(IsRetryable(v1::ERROR_RETRYABLE));
  EXPECT_TRUE(IsRetryable(v1::ERROR_TIMEOUT));
  EXPECT_FALSE(IsRetryable(v1::ERROR_FATAL));
  EXPECT_FALSE(IsRetryable(v1::ERROR_INVALID_INPUT));
}

TEST(ErrorsTest, TaskErrorCarriesCodeAndMessage) {
  v1::TaskError e = TaskErrorFromStatus(absl::InvalidArgumentError("item: not a number"));
  EXPECT_EQ(e.code(), v1::ERROR_INVALID_INPUT);
  EXPECT_EQ(e.message(), "item: not a number");
}

}  // namespace
}  // namespace fanout
