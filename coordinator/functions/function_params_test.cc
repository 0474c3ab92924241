#include "coordinator/functions/function_params.h"

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fanout::coordinator {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

v1::FunctionVersion Resize() {
  v1::FunctionVersion v;
  v.set_name("resize");
  v.set_version(2);
  auto declare = [&](const char* name, const char* type, bool required) {
    v1::ParamDecl* p = v.mutable_settings()->add_params();
    p->set_name(name);
    p->set_type(type);
    p->set_required(required);
  };
  declare("width", "integer", true);
  declare("mode", "string", false);
  declare("extra", "any", false);
  return v;
}

TEST(FunctionParamsTest, AJobIsCheckedAgainstWhatTheFunctionDeclares) {
  EXPECT_TRUE(CheckFunctionParams(Resize(), json{{"width", 64}}).ok());
  EXPECT_TRUE(
      CheckFunctionParams(Resize(), json{{"width", 64}, {"mode", "fit"}, {"extra", {1}}}).ok());
  absl::Status missing = CheckFunctionParams(Resize(), json{{"mode", "fit"}});
  EXPECT_EQ(missing.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(missing.message(), HasSubstr("params.width: resize:2 needs it"));
  EXPECT_THAT(CheckFunctionParams(Resize(), json{{"widht", 64}}).message(),
              HasSubstr("params.widht: resize:2 declares no such parameter; did you mean width?"));
  EXPECT_THAT(CheckFunctionParams(Resize(), json{{"width", "64"}}).message(),
              HasSubstr("params.width: resize:2 declares it integer, got \"64\""));
  EXPECT_THAT(CheckFunctionParams(Resize(), json{{"width", 6.5}}).message(),
              HasSubstr("declares it integer"));
  // What a schedule trigger adds to every job it makes.
  EXPECT_TRUE(
      CheckFunctionParams(Resize(), json{{"width", 1}, {"scheduled_time", "2026-12-06T03:00:00Z"}})
          .ok());
}

TEST(FunctionParamsTest, AFunctionThatDeclaresNothingTakesAnything) {
  v1::FunctionVersion v;
  v.set_name("echo");
  EXPECT_TRUE(CheckFunctionParams(v, json{{"anything", {{"at", "all"}}}}).ok());
}

TEST(FunctionParamsTest, DeclarationsAreCheckedWhenAVersionIsMade) {
  EXPECT_TRUE(ValidateParamDecls(Resize().settings()).ok());
  auto with = [](const char* name, const char* type) {
    v1::FunctionSettings s = Resize().settings();
    v1::ParamDecl* p = s.add_params();
    p->set_name(name);
    p->set_type(type);
    return ValidateParamDecls(s);
  };
  EXPECT_THAT(with("width", "integer").message(), HasSubstr("params[3]: width is declared twice"));
  EXPECT_THAT(with("", "string").message(), HasSubstr("params[3]: a name of 1 to 64"));
  EXPECT_THAT(with("a b", "string").message(), HasSubstr("params[3]"));
  EXPECT_THAT(with("h", "strng").message(),
              HasSubstr("params[3]: h: type 'strng' is not one of string, integer, number, "
                        "boolean, object, array, any; did you mean string?"));
  v1::FunctionSettings many;
  for (int i = 0; i < 65; ++i) {
    v1::ParamDecl* p = many.add_params();
    p->set_name(absl::StrCat("p", i));
    p->set_type("any");
  }
  EXPECT_THAT(ValidateParamDecls(many).message(), HasSubstr("65 declared, at most 64"));
}

}  // namespace
}  // namespace fanout::coordinator
