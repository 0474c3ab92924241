#include "s3/s3_client.h"

#include <cstdlib>

#include "absl/random/random.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "common/utf8.h"

namespace fanout::s3 {
namespace {

constexpr char kEmptyHash[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? "" : v;
}

bool Retryable(long status) { return status >= 500 || status == 429; }

absl::Status HttpError(const std::string& what, const HttpResponse& r) {
  const std::string code = XmlText(r.body, "Code");
  const std::string message = XmlText(r.body, "Message");
  const std::string why = absl::StrCat("s3: ", what, ": HTTP ", r.status, code.empty() ? "" : " ",
                                       code, message.empty() ? "" : ": ", message);
  // An error inside a 200 (a copy that failed after it started) is as transient as its code.
  if (r.status == 200 && (code == "InternalError" || code == "SlowDown" ||
                          code == "ServiceUnavailable" || code == "RequestTimeout")) {
    return absl::UnavailableError(why);
  }
  switch (r.status) {
    case 400:
      return absl::InvalidArgumentError(why);
    case 403:
      return absl::PermissionDeniedError(why);
    case 404:
      return absl::NotFoundError(why);
    case 409:
    case 412:
      return absl::FailedPreconditionError(why);
    default:
      return r.status >= 500 || r.status == 429 ? absl::UnavailableError(why)
                                                : absl::FailedPreconditionError(why);
  }
}

}  // namespace

absl::StatusOr<S3Config> S3ConfigFromEnvironment() {
  S3Config c;
  c.credentials.access_key = Env("AWS_ACCESS_KEY_ID");
  c.credentials.secret_key = Env("AWS_SECRET_ACCESS_KEY");
  c.credentials.session_token = Env("AWS_SESSION_TOKEN");
  c.region = Env("AWS_REGION");
  if (c.region.empty()) c.region = Env("AWS_DEFAULT_REGION");
  if (c.region.empty()) c.region = "us-east-1";
  c.endpoint = Env("AWS_ENDPOINT_URL");
  const bool custom = !c.endpoint.empty();
  if (!custom) c.endpoint = absl::StrCat("https://s3.", c.region, ".amazonaws.com");
  while (!c.endpoint.empty() && c.endpoint.back() == '/') c.endpoint.pop_back();
  if (!absl::StartsWith(c.endpoint, "http://") && !absl::StartsWith(c.endpoint, "https://")) {
    return absl::InvalidArgumentError(
        absl::StrCat("AWS_ENDPOINT_URL: '", c.endpoint, "' is not an http:// or https:// URL"));
  }
  const std::string path_style = Env("FANOUT_S3_PATH_STYLE");
  c.path_style = path_style.empty() ? custom : path_style == "1" || path_style == "true";
  if (c.credentials.access_key.empty() || c.credentials.secret_key.empty()) {
    return absl::FailedPreconditionError(
        "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY: not set; S3 needs credentials");
  }
  return c;
}

absl::StatusOr<std::pair<std::string, std::string>> ParseS3Url(absl::string_view url,
                                                               absl::string_view field) {
  absl::string_view rest = url;
  if (!absl::ConsumePrefix(&rest, "s3://") || rest.empty() || rest.front() == '/') {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": '", url, "' is not s3://bucket[/key-or-prefix]"));
  }
  const size_t slash = rest.find('/');
  const absl::string_view bucket = rest.substr(0, slash);
  if (absl::Status valid = ValidateBucketName(bucket, field); !valid.ok()) return valid;
  if (slash == absl::string_view::npos) return std::make_pair(std::string(rest), std::string());
  return std::make_pair(std::string(bucket), std::string(rest.substr(slash + 1)));
}

absl::Status ValidateBucketName(absl::string_view bucket, absl::string_view field) {
  auto alnum = [](char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)); };
  bool ok =
      bucket.size() >= 3 && bucket.size() <= 255 && alnum(bucket.front()) && alnum(bucket.back());
  for (char c : bucket) ok = ok && (alnum(c) || c == '.' || c == '-' || c == '_');
  if (ok) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      field, ": '", Printable(bucket, 80),
      "' is not a bucket name (3-255 letters, digits, '.', '-', '_'; a letter or digit at each "
      "end)"));
}

HttpRequest S3Client::Build(const Call& call, absl::Time now) const {
  absl::string_view endpoint = config_.endpoint;
  const bool https = absl::ConsumePrefix(&endpoint, "https://");
  if (!https) absl::ConsumePrefix(&endpoint, "http://");
  std::string host(endpoint), path = "/";
  if (config_.path_style || call.bucket.empty()) {  // no bucket: a service-level call on "/"
    absl::StrAppend(&path, UriEncode(call.bucket, true));
    if (!call.key.empty()) absl::StrAppend(&path, "/", UriEncode(call.key, false));
  } else {
    host = absl::StrCat(call.bucket, ".", host);
    path += UriEncode(call.key, false);
  }
  SigningRequest sign;
  sign.method = call.method;
  sign.path = path;
  sign.query = call.query;
  sign.payload_hash = call.body.empty() ? kEmptyHash : Sha256Hex(call.body);
  sign.headers = call.headers;
  sign.headers.emplace_back("host", host);
  sign.headers.emplace_back("x-amz-date", AmzDate(now));
  sign.headers.emplace_back("x-amz-content-sha256", sign.payload_hash);
  if (!config_.credentials.session_token.empty()) {
    sign.headers.emplace_back("x-amz-security-token", config_.credentials.session_token);
  }
  const Signature signature = SignV4(sign, config_.credentials, config_.region, "s3", now);
  HttpRequest request;
  request.method = call.method;
  const std::string query = CanonicalQuery(call.query);
  request.url =
      absl::StrCat(https ? "https://" : "http://", host, path, query.empty() ? "" : "?", query);
  request.headers = std::move(sign.headers);
  request.headers.emplace_back("authorization", signature.authorization);
  request.body = call.body;
  request.timeout = config_.timeout;
  request.on_body = call.on_body;
  return request;
}

absl::StatusOr<HttpResponse> S3Client::Run(const Call& call) const {
  const std::string what = absl::StrCat(call.method, " ", call.bucket, "/", call.key);
  absl::Duration backoff = config_.retry_base;
  thread_local absl::BitGen jitter;
  // A streamed body already handed over cannot be taken back: once bytes went to the reader, a
  // broken transfer is the caller's to retry whole (sending it again would repeat them).
  uint64_t streamed = 0;
  Call counted;
  const Call* send = &call;
  if (call.on_body) {
    counted = call;
    counted.on_body = [&](absl::string_view chunk) {
      streamed += chunk.size();
      return call.on_body(chunk);
    };
    send = &counted;
  }
  for (int attempt = 0;; ++attempt) {
    absl::StatusOr<HttpResponse> response = Send(Build(*send, absl::Now()));
    const bool again = streamed == 0 &&
                       (!response.ok() ? response.status().code() == absl::StatusCode::kUnavailable
                                       : Retryable(response->status));
    if (!again || attempt >= config_.max_retries) {
      if (!response.ok()) {
        return absl::Status(response.status().code(),
                            absl::StrCat("s3: ", what, ": ", response.status().message()));
      }
      if (response->status / 100 != 2) return HttpError(what, *response);
      return response;
    }
    absl::SleepFor(backoff / 2 + absl::Uniform(jitter, 0.0, 1.0) * (backoff / 2));
    backoff = std::min(backoff * 2, absl::Seconds(5));
  }
}

absl::StatusOr<ObjectInfo> S3Client::Head(const std::string& bucket, const std::string& key) const {
  absl::StatusOr<HttpResponse> r = Run({"HEAD", bucket, key});
  if (!r.ok()) return r.status();
  ObjectInfo info;
  info.key = key;
  info.etag = Unquote(r->headers["etag"]);
  (void)absl::SimpleAtoi(r->headers["content-length"], &info.size);
  info.last_modified = r->headers["last-modified"];
  info.content_type = r->headers["content-type"];
  for (const auto& [name, value] : r->headers) {
    absl::string_view meta = name;
    if (absl::ConsumePrefix(&meta, "x-amz-meta-")) info.metadata[std::string(meta)] = value;
  }
  return info;
}

absl::StatusOr<std::string> S3Client::Get(const std::string& bucket, const std::string& key,
                                          const std::string& range) const {
  Call call{"GET", bucket, key};
  if (!range.empty()) call.headers.emplace_back("range", range);
  absl::StatusOr<HttpResponse> r = Run(call);
  if (!r.ok()) return r.status();
  return std::move(r->body);
}

absl::Status S3Client::GetStream(const std::string& bucket, const std::string& key,
                                 const std::string& range,
                                 const std::function<bool(absl::string_view)>& on_chunk) const {
  Call call{"GET", bucket, key};
  if (!range.empty()) call.headers.emplace_back("range", range);
  call.on_body = on_chunk;
  return Run(call).status();
}

absl::StatusOr<ObjectInfo> S3Client::Put(const std::string& bucket, const std::string& key,
                                         std::string body) const {
  Call call{"PUT", bucket, key};
  const uint64_t size = body.size();
  call.body = std::move(body);
  absl::StatusOr<HttpResponse> r = Run(call);
  if (!r.ok()) return r.status();
  ObjectInfo info;
  info.key = key;
  info.size = size;
  info.etag = Unquote(r->headers["etag"]);
  return info;
}

absl::StatusOr<ObjectInfo> S3Client::Copy(const std::string& from_bucket,
                                          const std::string& from_key, const std::string& to_bucket,
                                          const std::string& to_key,
                                          const std::map<std::string, std::string>& metadata,
                                          const std::string& content_type) const {
  Call call{"PUT", to_bucket, to_key};
  call.headers.emplace_back("x-amz-copy-source",
                            absl::StrCat("/", from_bucket, "/", UriEncode(from_key, false)));
  if (!metadata.empty()) {
    call.headers.emplace_back("x-amz-metadata-directive", "REPLACE");
    for (const auto& [name, value] : metadata) {
      call.headers.emplace_back(absl::StrCat("x-amz-meta-", name), value);
    }
    if (!content_type.empty()) call.headers.emplace_back("content-type", content_type);
  }
  absl::StatusOr<HttpResponse> r = Run(call);
  if (!r.ok()) return r.status();
  // A copy can fail after its 200 has been sent: the error is then in the body.
  if (!XmlText(r->body, "Code").empty()) return HttpError("copy " + to_key, *r);
  ObjectInfo info;
  info.key = to_key;
  info.etag = Unquote(XmlText(r->body, "ETag"));
  return info;
}

absl::Status S3Client::Delete(const std::string& bucket, const std::string& key) const {
  return Run({"DELETE", bucket, key}).status();
}

absl::Status S3Client::CreateBucket(const std::string& bucket) const {
  absl::StatusOr<HttpResponse> r = Run({"PUT", bucket, ""});
  if (r.ok() || absl::StrContains(r.status().message(), "BucketAlreadyOwnedByYou")) {
    return absl::OkStatus();
  }
  return r.status();
}

absl::StatusOr<ListPage> S3Client::List(const std::string& bucket, const std::string& prefix,
                                        const std::string& continuation_token, int max_keys) const {
  Call call{"GET", bucket, ""};
  call.query = {{"list-type", "2"}, {"max-keys", absl::StrCat(max_keys)}};
  if (!prefix.empty()) call.query.emplace_back("prefix", prefix);
  if (!continuation_token.empty())
    call.query.emplace_back("continuation-token", continuation_token);
  absl::StatusOr<HttpResponse> r = Run(call);
  if (!r.ok()) return r.status();
  return ParseListObjectsV2(r->body);
}

}  // namespace fanout::s3
