#include "common/utf8.h"

#include "gtest/gtest.h"

namespace fanout {
namespace {

TEST(TruncateUtf8Test, NeverSplitsACharacter) {
  std::string s = "ab\xC3\xA9z";  // "abéz": é is 2 bytes
  TruncateUtf8(&s, 3);
  EXPECT_EQ(s, "ab");
  std::string t = "ab\xC3\xA9z";
  TruncateUtf8(&t, 4);
  EXPECT_EQ(t, "ab\xC3\xA9");
  std::string euro = "\xE2\x82\xAC\xE2\x82\xAC";  // two 3-byte characters
  TruncateUtf8(&euro, 5);
  EXPECT_EQ(euro, "\xE2\x82\xAC");
  std::string short_one = "abc";
  TruncateUtf8(&short_one, 10);
  EXPECT_EQ(short_one, "abc");
}

TEST(Utf8Test, FindsTheFirstBadByteOfEveryClass) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("Z\xC3\xBCrich \xE2\x82\xAC \xF0\x9F\x98\x80"));  // ü € 😀
  EXPECT_EQ(FirstInvalidUtf8("Z\xFCrich"), 1u);                             // Latin-1
  EXPECT_EQ(FirstInvalidUtf8("ab\xC3"), 2u);                                // cut short
  EXPECT_EQ(FirstInvalidUtf8("\xC0\xAF"), 0u);                              // overlong '/'
  EXPECT_EQ(FirstInvalidUtf8("\xE0\x80\xAF"), 0u);                          // overlong, 3 bytes
  EXPECT_EQ(FirstInvalidUtf8("x\xED\xA0\x80"), 1u);                         // a surrogate (CESU-8)
  EXPECT_EQ(FirstInvalidUtf8("\xF4\x90\x80\x80"), 0u);                      // past U+10FFFF
  EXPECT_EQ(FirstInvalidUtf8("\x80"), 0u);  // a lone continuation byte
  EXPECT_EQ(FirstInvalidUtf8("\xFF\xFE"), 0u);
  EXPECT_EQ(FirstInvalidUtf8(std::string("a\0b", 3)), std::string::npos);  // NUL is text
}

TEST(Utf8Test, CheckNamesWhatAndWhereAndShowsTheBytes) {
  absl::Status s = CheckUtf8("name,city\nalice,Z\xFCrich", "csv:x.csv line 2");
  ASSERT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "csv:x.csv line 2: not valid UTF-8 (byte 0xFC at offset 17 in "
            "\"name,city\\nalice,Z\\xfcrich\")");
  EXPECT_TRUE(CheckUtf8("fine", "x").ok());
}

TEST(Utf8Test, PrintableEscapesWhatATerminalWouldMangle) {
  EXPECT_EQ(Printable("a\xFF\x01\"\\\n\xC3\xA9"), "a\\xff\\x01\\\"\\\\\\n\xC3\xA9");
  EXPECT_EQ(Printable("abcdef", 3), "abc...");
}

TEST(Utf8Test, ReplaceInvalidKeepsGoodCharacters) {
  EXPECT_EQ(ReplaceInvalidUtf8("Z\xFCrich\xC3\xA9"), "Z\xEF\xBF\xBDrich\xC3\xA9");
}

}  // namespace
}  // namespace fanout
