#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "s3/s3_client.h"

namespace fanout::s3 {
namespace {

using ::testing::HasSubstr;

TEST(S3UrlTest, SplitsBucketAndKey) {
  auto where = ParseS3Url("s3://photos/2026/a b.jpg", "source");
  ASSERT_TRUE(where.ok());
  EXPECT_EQ(where->first, "photos");
  EXPECT_EQ(where->second, "2026/a b.jpg");
  EXPECT_EQ(ParseS3Url("s3://photos", "source")->second, "");
}

TEST(S3UrlTest, RefusesWhatIsNoBucketName) {
  // What would change the host of a virtual-hosted request, or is no name at all.
  for (const char* url : {"s3://evil.example#/x", "s3://10.1.2.3:8443#/k", "s3://a@b.c/k",
                          "s3://ab/k", "s3://-photos/k", "s3://photos-/k", "s3://ph\xC3\xB6tos/k",
                          "s3:///k", "s3://", "s3//photos", "http://photos/k"}) {
    absl::StatusOr<std::pair<std::string, std::string>> where = ParseS3Url(url, "source");
    EXPECT_EQ(where.status().code(), absl::StatusCode::kInvalidArgument) << url;
    EXPECT_THAT(where.status().message(), HasSubstr("source: ")) << url;
  }
  EXPECT_TRUE(ValidateBucketName("My_Legacy.Bucket-1", "b").ok());
  EXPECT_FALSE(ValidateBucketName(std::string(256, 'a'), "b").ok());
}

}  // namespace
}  // namespace fanout::s3
