// The examples AWS publishes in its SigV4 documentation for S3 ("Examples: Signature calculations
// in AWS Signature Version 4", header-based auth): same inputs, same signatures.
#include "s3/sigv4.h"

#include "gtest/gtest.h"

namespace fanout::s3 {
namespace {

const Credentials kExample = {"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                              ""};
const absl::Time kWhen =
    absl::FromCivil(absl::CivilSecond(2013, 5, 24, 0, 0, 0), absl::UTCTimeZone());
constexpr char kEmptyHash[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr char kHost[] = "examplebucket.s3.amazonaws.com";

SigningRequest Get(std::string path) {
  SigningRequest r;
  r.method = "GET";
  r.path = std::move(path);
  r.payload_hash = kEmptyHash;
  r.headers = {
      {"Host", kHost}, {"x-amz-date", "20130524T000000Z"}, {"x-amz-content-sha256", kEmptyHash}};
  return r;
}

TEST(SigV4Test, GetObjectWithRange) {
  SigningRequest r = Get("/test.txt");
  r.headers.emplace_back("Range", "bytes=0-9");
  Signature s = SignV4(r, kExample, "us-east-1", "s3", kWhen);
  EXPECT_EQ(s.signature, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  EXPECT_EQ(s.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4Test, PutObjectWithAnEncodedKeyAndABody) {
  const std::string body_hash = Sha256Hex("Welcome to Amazon S3.");
  EXPECT_EQ(body_hash, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  SigningRequest r;
  r.method = "PUT";
  r.path = "/" + UriEncode("test$file.text", false);
  r.payload_hash = body_hash;
  r.headers = {{"Host", kHost},
               {"Date", "Fri, 24 May 2013 00:00:00 GMT"},
               {"x-amz-date", "20130524T000000Z"},
               {"x-amz-content-sha256", body_hash},
               {"x-amz-storage-class", "REDUCED_REDUNDANCY"}};
  Signature s = SignV4(r, kExample, "us-east-1", "s3", kWhen);
  EXPECT_EQ(s.signature, "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
  EXPECT_EQ(s.canonical_request.substr(0, 22), "PUT\n/test%24file.text\n");
}

TEST(SigV4Test, GetBucketLifecycleWithAnEmptyQueryValue) {
  SigningRequest r = Get("/");
  r.query = {{"lifecycle", ""}};
  EXPECT_EQ(SignV4(r, kExample, "us-east-1", "s3", kWhen).signature,
            "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

TEST(SigV4Test, ListObjectsSortsTheQuery) {
  SigningRequest r = Get("/");
  r.query = {{"prefix", "J"}, {"max-keys", "2"}};
  EXPECT_EQ(SignV4(r, kExample, "us-east-1", "s3", kWhen).signature,
            "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(SigV4Test, UriEncodingOfAwkwardKeys) {
  EXPECT_EQ(UriEncode("a b+c%d", false), "a%20b%2Bc%25d");
  EXPECT_EQ(UriEncode("dir/ключ", false), "dir/%D0%BA%D0%BB%D1%8E%D1%87");
  EXPECT_EQ(UriEncode("a/b", true), "a%2Fb");
  EXPECT_EQ(UriEncode("A-z_0.9~", true), "A-z_0.9~");
  EXPECT_EQ(CanonicalQuery({{"prefix", "a b"}, {"continuation-token", "x/y="}}),
            "continuation-token=x%2Fy%3D&prefix=a%20b");
}

TEST(SigV4Test, AmzDate) { EXPECT_EQ(AmzDate(kWhen), "20130524T000000Z"); }

}  // namespace
}  // namespace fanout::s3
