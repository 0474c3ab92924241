#include "common/builtin_params.h"

#include "common/functions.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fanout {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

std::string Why(absl::string_view function, const json& params) {
  absl::Status s = CheckBuiltinParams(function, params);
  EXPECT_EQ(s.code(), s.ok() ? absl::StatusCode::kOk : absl::StatusCode::kInvalidArgument);
  return std::string(s.message());
}

TEST(BuiltinParamsTest, WhatAHandlerCannotWorkWithoutIsRefusedNamingTheParameter) {
  EXPECT_THAT(Why("s3-copy", json::object()),
              HasSubstr("params.dest: builtin:s3-copy needs it: s3://bucket/prefix to copy to"));
  EXPECT_THAT(Why("s3-copy", {{"dst", "s3://b/p"}}),
              HasSubstr("params.dst: builtin:s3-copy has no such parameter; did you mean dest? "
                        "(its parameters: dest, strip_prefix)"));
  EXPECT_THAT(Why("s3-copy", {{"dest", "b/p"}}), HasSubstr("params.dest: 'b/p' is not s3://"));
  EXPECT_THAT(Why("sleep", {{"ms", "ten"}}),
              HasSubstr("params.ms: builtin:sleep needs an integer >= 0, got \"ten\""));
  EXPECT_THAT(Why("sleep", {{"ms", -1}}), HasSubstr("needs an integer >= 0"));
  EXPECT_THAT(Why("count", {{"checkpoint_every", 0}}), HasSubstr("integer >= 1"));
  EXPECT_THAT(Why("fail", {{"fail", "loudly"}}),
              HasSubstr("'loudly' is not one of retryable, fatal, timeout, invalid"));
  EXPECT_THAT(Why("noop", {{"ms", 1}}), HasSubstr("(its parameters: none)"));
}

TEST(BuiltinParamsTest, WhatEachHandlerReadsIsAccepted) {
  EXPECT_EQ(Why("s3-copy", {{"dest", "s3://backup/2026/"}, {"strip_prefix", "in/"}}), "");
  EXPECT_EQ(Why("sleep", {{"ms", 0}}), "");
  EXPECT_EQ(Why("count", {{"checkpoint_every", 10}, {"step_us", 0}, {"trace_dir", "/t"}}), "");
  EXPECT_EQ(Why("fail", {{"fail", "retryable"}, {"times", 2}, {"message", "m"}}), "");
  EXPECT_EQ(Why("blob", {{"bytes", 1024}}), "");
  EXPECT_EQ(Why("noop", {{"scheduled_time", "2026-12-06T03:00:00Z"}}), "") << "a schedule's";
  for (const std::string& name : BuiltinFunctionNames()) {
    EXPECT_EQ(Why(name, json::object()), name == "s3-copy" ? Why("s3-copy", json::object()) : "")
        << name;
  }
}

}  // namespace
}  // namespace fanout
