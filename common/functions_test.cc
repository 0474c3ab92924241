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

TEST(FunctionsTest, BadSpecsAreRefused) {
  for (const char* bad : {"python:main.py", "", "fn:0", "fn:-1", "fn:+2", "fn:", "fn:99999999999",
                          "a/b", "builtin", "x y", ":3", "\xff\xfe"}) {
    EXPECT_EQ(ParseFunction(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(FunctionsTest, UserFunctionsAreNamedWithAnOptionalVersion) {
  absl::StatusOr<FunctionSpec> latest = ParseFunction("thumbnails");
  ASSERT_TRUE(latest.ok()) << latest.status();
  EXPECT_EQ(latest->runtime, FunctionSpec::Runtime::kUser);
  EXPECT_EQ(latest->name, "thumbnails");
  EXPECT_EQ(latest->version, 0u);
  absl::StatusOr<FunctionSpec> pinned = ParseFunction("my_fn-2:17");
  ASSERT_TRUE(pinned.ok()) << pinned.status();
  EXPECT_EQ(pinned->name, "my_fn-2");
  EXPECT_EQ(pinned->version, 17u);
  EXPECT_FALSE(ValidateFunctionName(std::string(65, 'a')).ok());
  EXPECT_TRUE(ValidateFunctionName(std::string(64, 'a')).ok());
}

TEST(FunctionsTest, EnvironmentsAreCheckedByName) {
  EXPECT_TRUE(ValidateFunctionEnv({{"A", "1"}, {"B_2", "x y"}}).ok());
  EXPECT_THAT(ValidateFunctionEnv({{"AWS_REGION", "x"}}).message(), HasSubstr("AWS_REGION"));
  EXPECT_THAT(ValidateFunctionEnv({{"AWS_LAMBDA_MAX_CONCURRENCY", "4"}}).message(),
              HasSubstr("set by the platform"));
  EXPECT_TRUE(ValidateFunctionEnv({{"AWS_ACCESS_KEY_ID", "k"}}).ok());  // no roles: allowed
  EXPECT_THAT(ValidateFunctionEnv({{"A", "1"}, {"A", "2"}}).message(), HasSubstr("twice"));
  EXPECT_THAT(ValidateFunctionEnv({{"1A", "1"}}).message(), HasSubstr("not a variable name"));
  EXPECT_THAT(ValidateFunctionEnv({{"A", "\xff"}}).message(), HasSubstr("UTF-8"));
  EXPECT_THAT(ValidateFunctionEnv({{"A", std::string(5000, 'x')}}).message(), HasSubstr("4096"));
}

}  // namespace
}  // namespace fanout
