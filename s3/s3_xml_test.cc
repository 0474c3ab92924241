#include "s3/s3_xml.h"

#include "common/utf8.h"
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

TEST(S3XmlTest, VersionsOfAListingLeaveDeleteMarkersOut) {
  const VersionPage page = ParseListObjectVersions(R"(<ListVersionsResult>
      <IsTruncated>true</IsTruncated><NextKeyMarker>b</NextKeyMarker>
      <NextVersionIdMarker>v9</NextVersionIdMarker>
      <Version><Key>a</Key><VersionId>v2</VersionId><IsLatest>true</IsLatest>
        <ETag>&quot;e2&quot;</ETag><Size>5</Size></Version>
      <Version><Key>a</Key><VersionId>v1</VersionId><IsLatest>false</IsLatest>
        <ETag>"e1"</ETag><Size>3</Size></Version>
      <DeleteMarker><Key>b</Key><VersionId>v9</VersionId><IsLatest>true</IsLatest></DeleteMarker>
      </ListVersionsResult>)");
  ASSERT_EQ(page.versions.size(), 2u);
  EXPECT_EQ(page.versions[0].object.key, "a");
  EXPECT_EQ(page.versions[0].version_id, "v2");
  EXPECT_TRUE(page.versions[0].is_latest);
  EXPECT_EQ(page.versions[0].object.etag, "e2");
  EXPECT_FALSE(page.versions[1].is_latest);
  EXPECT_EQ(page.next_key_marker, "b");
  EXPECT_EQ(page.next_version_marker, "v9");
  EXPECT_EQ(ParseListObjectVersions("<IsTruncated>false</IsTruncated>").next_key_marker, "");
}

TEST(S3XmlTest, ACharacterReferenceToASurrogateIsNoText) {
  // Keys must be UTF-8: the listing source fails such an object as its own item.
  EXPECT_FALSE(IsValidUtf8(XmlUnescape("a&#xD800;b")));
}

}  // namespace
}  // namespace fanout::s3
