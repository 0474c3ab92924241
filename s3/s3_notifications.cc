// S3Client: topics and bucket notification configurations. RGW serves the SNS-style topic API on
// the S3 endpoint itself (a form POST to "/"), signed like any S3 request.
#include "absl/strings/str_cat.h"
#include "s3/s3_client.h"

namespace fanout::s3 {

absl::StatusOr<std::string> S3Client::CreateTopic(
    const std::string& name,
    const std::vector<std::pair<std::string, std::string>>& attributes) const {
  Call call{"POST", "", ""};
  call.body = absl::StrCat("Action=CreateTopic&Name=", UriEncode(name, true));
  for (size_t i = 0; i < attributes.size(); ++i) {
    absl::StrAppend(&call.body, "&Attributes.entry.", i + 1,
                    ".key=", UriEncode(attributes[i].first, true), "&Attributes.entry.", i + 1,
                    ".value=", UriEncode(attributes[i].second, true));
  }
  call.headers.emplace_back("content-type", "application/x-www-form-urlencoded");
  absl::StatusOr<HttpResponse> r = Run(call);
  if (!r.ok()) return r.status();
  std::string arn = XmlText(r->body, "TopicArn");
  if (arn.empty()) {
    return absl::InternalError(absl::StrCat("CreateTopic ", name, ": no TopicArn in ", r->body));
  }
  return arn;
}

absl::Status S3Client::PutBucketNotification(const std::string& bucket,
                                             const std::string& xml) const {
  Call call{"PUT", bucket, ""};
  call.query = {{"notification", ""}};
  call.body = xml;
  call.headers.emplace_back("content-type", "application/xml");
  return Run(call).status();
}

}  // namespace fanout::s3
