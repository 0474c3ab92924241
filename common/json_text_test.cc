#include "common/json_text.h"

#include <string>

#include "gtest/gtest.h"

namespace fanout {
namespace {

std::string Nested(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST(JsonTextTest, ParsesOrdinaryDocuments) {
  absl::StatusOr<nlohmann::json> j = ParseJson(R"({"a": [1, 2, {"b": "é"}]})", "x");
  ASSERT_TRUE(j.ok()) << j.status();
  EXPECT_EQ((*j)["a"][2]["b"], "é");
}

TEST(JsonTextTest, RefusesNestingPastTheLimitWithoutRecursing) {
  EXPECT_TRUE(ParseJson(Nested(kMaxJsonDepth), "x").ok());
  absl::StatusOr<nlohmann::json> deep = ParseJson(Nested(kMaxJsonDepth + 1), "source");
  ASSERT_EQ(deep.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(deep.status().message(), "source: nested deeper than 64 levels of lists and objects");
  // 100,000 deep (200 KB): the parse stops at level 65, nothing recurses.
  EXPECT_FALSE(ParseJson(Nested(100000), "x").ok());
  EXPECT_FALSE(ParseJson(std::string(100000, '{'), "x").ok());
  EXPECT_FALSE(IsJsonText(Nested(100000)));
  EXPECT_TRUE(IsJsonText(Nested(10)));
}

TEST(JsonTextTest, NamesTheClassOfEveryBadInput) {
  EXPECT_EQ(ParseJson("", "body").status().message().substr(0, 20), "body: not valid JSON");
  EXPECT_EQ(ParseJson("[1,", "body").status().message().substr(0, 20), "body: not valid JSON");
  EXPECT_EQ(ParseJson("[1] [2]", "body").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseJson(std::string("\"a\0b\"", 5), "body").status().code(),
            absl::StatusCode::kInvalidArgument);  // a raw control character in a string
  absl::Status latin1 = ParseJson("\"Z\xFCrich\"", "line 3").status();
  EXPECT_EQ(latin1.message().substr(0, 27), "line 3: not valid UTF-8 (by");
  // Escapes that name a lone surrogate are not text either.
  EXPECT_FALSE(ParseJson(R"("\ud800")", "x").ok());
  EXPECT_TRUE(ParseJson(R"("\ud83d\ude00")", "x").ok());
  EXPECT_FALSE(ParseJson("1e999999", "x").ok());  // out of range: not a finite number
}

TEST(JsonTextTest, DumpNeverThrows) {
  nlohmann::json j = {{"k", std::string("Z\xFCrich")}};
  EXPECT_EQ(DumpJson(j), "{\"k\":\"Z\xEF\xBF\xBDrich\"}");
}

}  // namespace
}  // namespace fanout
