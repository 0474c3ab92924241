#include "worker/runtime/http_wire.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace fanout::worker {
namespace {

// Clients put a whole error's X-Ray cause (message and stack) in one header
// (Lambda-Runtime-Function-XRay-Error-Cause), up to 1 MiB: refusing it would lose the error.
constexpr size_t kMaxLine = (1 << 20) + 16 * 1024;
constexpr size_t kMaxHeadBytes = 2 << 20;  // request line + headers, and the trailers

const std::string* Find(const HeaderList& list, absl::string_view name) {
  for (const auto& [key, value] : list) {
    if (key == name) return &value;
  }
  return nullptr;
}

const char* Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 202:
      return "Accepted";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 413:
      return "Payload Too Large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

}  // namespace

const std::string* WireRequest::Header(absl::string_view name) const { return Find(headers, name); }
const std::string* WireRequest::Trailer(absl::string_view name) const {
  return Find(trailers, name);
}

absl::Status WireReader::Fill() {
  if (pos_ > 0 && pos_ == buffer_.size()) {
    buffer_.clear();
    pos_ = 0;
  }
  char chunk[16 * 1024];
  const long n = source_(chunk, sizeof(chunk));
  if (n == 0) return absl::OutOfRangeError("connection closed");
  if (n < 0) return absl::UnavailableError("connection failed");
  buffer_.append(chunk, static_cast<size_t>(n));
  return absl::OkStatus();
}

absl::StatusOr<std::string> WireReader::Line(size_t max) {
  while (true) {
    const size_t end = buffer_.find('\n', pos_);
    if (end != std::string::npos) {
      if (end - pos_ > max) return absl::InvalidArgumentError("line too long");
      std::string line = buffer_.substr(pos_, end - pos_);
      pos_ = end + 1;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return line;
    }
    if (buffer_.size() - pos_ > max) return absl::InvalidArgumentError("line too long");
    if (absl::Status s = Fill(); !s.ok()) return s;
  }
}

absl::Status WireReader::ReadFields(HeaderList& into, size_t& budget) {
  while (true) {
    absl::StatusOr<std::string> line = Line(kMaxLine);
    if (!line.ok()) {
      return line.status().code() == absl::StatusCode::kOutOfRange
                 ? absl::InvalidArgumentError("connection closed within the headers")
                 : line.status();
    }
    if (line->empty()) return absl::OkStatus();
    if (line->size() + 2 > budget) return absl::InvalidArgumentError("headers too large");
    budget -= line->size() + 2;
    const size_t colon = line->find(':');
    if (colon == std::string::npos || colon == 0) {
      return absl::InvalidArgumentError("a header line without a name");
    }
    into.emplace_back(absl::AsciiStrToLower(line->substr(0, colon)),
                      std::string(absl::StripAsciiWhitespace(line->substr(colon + 1))));
  }
}

absl::Status WireReader::ReadHead(WireRequest& request) {
  absl::StatusOr<std::string> line = Line(kMaxLine);
  while (line.ok() && line->empty()) line = Line(kMaxLine);  // stray CRLFs between requests
  if (!line.ok()) return line.status();
  std::vector<std::string> parts = absl::StrSplit(*line, ' ');
  if (parts.size() != 3 || parts[0].empty() || parts[1].empty() || parts[1][0] != '/' ||
      !absl::StartsWith(parts[2], "HTTP/1.")) {
    return absl::InvalidArgumentError("malformed request line");
  }
  request.method = parts[0];
  request.path = parts[1].substr(0, parts[1].find('?'));
  request.keep_alive = parts[2] != "HTTP/1.0";
  size_t budget = kMaxHeadBytes;
  if (absl::Status s = ReadFields(request.headers, budget); !s.ok()) return s;
  if (const std::string* c = request.Header("connection")) {
    const std::string v = absl::AsciiStrToLower(*c);
    if (v == "close") request.keep_alive = false;
    if (v == "keep-alive") request.keep_alive = true;
  }
  return absl::OkStatus();
}

absl::Status WireReader::ReadFixedBody(WireRequest& request, size_t length) {
  while (buffer_.size() - pos_ < length) {
    if (absl::Status s = Fill(); !s.ok()) {
      return s.code() == absl::StatusCode::kOutOfRange
                 ? absl::InvalidArgumentError("connection closed within the body")
                 : s;
    }
  }
  request.body.assign(buffer_, pos_, length);
  pos_ += length;
  return absl::OkStatus();
}

absl::Status WireReader::ReadChunkedBody(WireRequest& request) {
  while (true) {
    absl::StatusOr<std::string> line = Line(kMaxLine);
    if (!line.ok()) return absl::InvalidArgumentError("connection closed within a chunked body");
    const absl::string_view hex = absl::StripAsciiWhitespace(
        absl::string_view(*line).substr(0, line->find(';')));  // chunk extensions ignored
    uint64_t size = 0;
    if (hex.empty() || hex.size() > 15 || !absl::SimpleHexAtoi(hex, &size)) {
      return absl::InvalidArgumentError("malformed chunk size");
    }
    if (size == 0) break;
    if (size > max_body_ - std::min(max_body_, request.body.size())) {
      return absl::ResourceExhaustedError(absl::StrCat("body over ", max_body_, " bytes"));
    }
    WireRequest scratch;
    if (absl::Status s = ReadFixedBody(scratch, size); !s.ok()) return s;
    request.body += scratch.body;
    absl::StatusOr<std::string> end = Line(2);
    if (!end.ok() || !end->empty()) return absl::InvalidArgumentError("a chunk without its CRLF");
  }
  size_t budget = kMaxHeadBytes;
  return ReadFields(request.trailers, budget);
}

absl::StatusOr<WireRequest> WireReader::Read(const Continue& on_continue) {
  WireRequest request;
  if (absl::Status s = ReadHead(request); !s.ok()) return s;
  const std::string* encoding = request.Header("transfer-encoding");
  const std::string* length = request.Header("content-length");
  const bool chunked = encoding != nullptr && absl::AsciiStrToLower(*encoding) == "chunked";
  if (encoding != nullptr && !chunked) {
    return absl::InvalidArgumentError(absl::StrCat("transfer-encoding '", *encoding, "'"));
  }
  uint64_t size = 0;
  if (!chunked && length != nullptr && !absl::SimpleAtoi(*length, &size)) {
    return absl::InvalidArgumentError("malformed content-length");
  }
  if (size > max_body_) {
    return absl::ResourceExhaustedError(absl::StrCat("body of ", size, " bytes, over ", max_body_));
  }
  const std::string* expect = request.Header("expect");
  if (expect != nullptr && absl::AsciiStrToLower(*expect) == "100-continue" &&
      (chunked || size > 0) && on_continue) {
    on_continue();
  }
  if (chunked) {
    if (absl::Status s = ReadChunkedBody(request); !s.ok()) return s;
  } else if (size > 0) {
    if (absl::Status s = ReadFixedBody(request, size); !s.ok()) return s;
  }
  return request;
}

std::string SerializeResponse(const WireResponse& response, bool keep_alive) {
  std::string out = absl::StrCat("HTTP/1.1 ", response.status, " ", Reason(response.status),
                                 "\r\nContent-Type: ", response.content_type,
                                 "\r\nContent-Length: ", response.body.size(), "\r\n");
  for (const auto& [name, value] : response.headers)
    absl::StrAppend(&out, name, ": ", value, "\r\n");
  if (!keep_alive) out += "Connection: close\r\n";
  out += "\r\n";
  out += response.body;
  return out;
}

}  // namespace fanout::worker
