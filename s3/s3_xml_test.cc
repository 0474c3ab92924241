#include "s3/s3_xml.h"

#include "gtest/gtest.h"

namespace fanout::s3 {
namespace {

TEST(S3XmlTest, ParsesAListPageWithAwkwardKeys) {
  const char* xml = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name>
<Prefix>in/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>
<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
<Contents><Key>in/a &amp; b+c%d.txt</Key><LastModified>2026-11-27T10:00:00.000Z</LastModified>
<ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag><Size>42</Size></Contents>
<Contents><Key>in/ключ.txt</Key><Size>7</Size><ETag>"abc"</ETag></Contents>
</ListBucketResult>)";
  ListPage page = ParseListObjectsV2(xml);
  ASSERT_EQ(page.objects.size(), 2);
  EXPECT_EQ(page.objects[0].key, "in/a & b+c%d.txt");
  EXPECT_EQ(page.objects[0].size, 42);
  EXPECT_EQ(page.objects[0].etag, "9b2cf535f27731c974343645a3985328");
  EXPECT_EQ(page.objects[1].key, "in/ключ.txt");
  EXPECT_EQ(page.objects[1].etag, "abc");
  EXPECT_EQ(page.next_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
}

TEST(S3XmlTest, LastPageHasNoToken) {
  EXPECT_EQ(ParseListObjectsV2("<IsTruncated>false</IsTruncated>").next_token, "");
}

TEST(S3XmlTest, UnescapesNumericReferences) {
  EXPECT_EQ(XmlUnescape("a&#32;b&#x41;&lt;"), "a bA<");
  EXPECT_EQ(XmlUnescape("&#x43F;"), "п");
  EXPECT_EQ(XmlUnescape("&unknown; & x"), "&unknown; & x");
}

}  // namespace
}  // namespace fanout::s3
