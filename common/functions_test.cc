#include "common/functions.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fanout {
namespace {

using ::testing::HasSubstr;

TEST(FunctionsTest, ParsesBuiltin) {
  absl::StatusOr<FunctionSpec> spec = ParseFunction("builtin:noop");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->runtime, FunctionSpec::Runtime::kBuiltin);
  EXPECT_EQ(spec->name, "noop");
}

TEST(FunctionsTest, UnknownBuiltinNamesTheFieldAndTheKnownOnes) {
  absl::StatusOr<FunctionSpec> spec = ParseFunction("builtin:nope");
  ASSERT_EQ(spec.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(spec.status().message(), HasSubstr("function:"));
  EXPECT_THAT(spec.status().message(), HasSubstr("nope"));
  EXPECT_THAT(spec.status().message(), HasSubstr("sha256"));
}

TEST(FunctionsTest, UnknownRuntimeAndEmptyAreRefused) {
  EXPECT_EQ(ParseFunction("python:main.py").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseFunction("").status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace fanout
