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

}  // namespace
}  // namespace fanout
