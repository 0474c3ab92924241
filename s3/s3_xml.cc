#include "s3/s3_xml.h"

#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace fanout::s3 {
namespace {

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

std::string XmlUnescape(absl::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const size_t semi = s[i] == '&' ? s.find(';', i) : absl::string_view::npos;
    if (semi == absl::string_view::npos) {
      out.push_back(s[i]);
      continue;
    }
    const absl::string_view entity = s.substr(i + 1, semi - i - 1);
    if (entity == "amp")
      out.push_back('&');
    else if (entity == "lt")
      out.push_back('<');
    else if (entity == "gt")
      out.push_back('>');
    else if (entity == "quot")
      out.push_back('"');
    else if (entity == "apos")
      out.push_back('\'');
    else if (absl::StartsWith(entity, "#x") || absl::StartsWith(entity, "#X")) {
      AppendUtf8(std::strtoul(std::string(entity.substr(2)).c_str(), nullptr, 16), &out);
    } else if (absl::StartsWith(entity, "#")) {
      AppendUtf8(std::strtoul(std::string(entity.substr(1)).c_str(), nullptr, 10), &out);
    } else {
      out.append(s.substr(i, semi - i + 1).data(), semi - i + 1);  // unknown: keep as is
    }
    i = semi;
  }
  return out;
}

std::vector<absl::string_view> XmlElements(absl::string_view xml, absl::string_view tag) {
  std::vector<absl::string_view> out;
  const std::string open = absl::StrCat("<", tag, ">"), close = absl::StrCat("</", tag, ">");
  for (size_t at = xml.find(open); at != absl::string_view::npos; at = xml.find(open, at)) {
    const size_t begin = at + open.size();
    const size_t end = xml.find(close, begin);
    if (end == absl::string_view::npos) break;
    out.push_back(xml.substr(begin, end - begin));
    at = end + close.size();
  }
  return out;
}

std::string XmlText(absl::string_view xml, absl::string_view tag) {
  std::vector<absl::string_view> found = XmlElements(xml, tag);
  return found.empty() ? "" : XmlUnescape(found.front());
}

std::string Unquote(absl::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  return std::string(etag);
}

namespace {

ObjectInfo Object(absl::string_view element) {
  ObjectInfo o;
  o.key = XmlText(element, "Key");
  (void)absl::SimpleAtoi(XmlText(element, "Size"), &o.size);
  o.etag = Unquote(XmlText(element, "ETag"));
  o.last_modified = XmlText(element, "LastModified");
  return o;
}

}  // namespace

VersionPage ParseListObjectVersions(absl::string_view xml) {
  VersionPage page;
  for (absl::string_view version : XmlElements(xml, "Version")) {
    ObjectVersion& v = page.versions.emplace_back();
    v.object = Object(version);
    v.version_id = XmlText(version, "VersionId");
    v.is_latest = XmlText(version, "IsLatest") == "true";
  }
  if (XmlText(xml, "IsTruncated") == "true") {
    page.next_key_marker = XmlText(xml, "NextKeyMarker");
    page.next_version_marker = XmlText(xml, "NextVersionIdMarker");
  }
  return page;
}

ListPage ParseListObjectsV2(absl::string_view xml) {
  ListPage page;
  for (absl::string_view contents : XmlElements(xml, "Contents")) {
    page.objects.push_back(Object(contents));
  }
  if (XmlText(xml, "IsTruncated") == "true")
    page.next_token = XmlText(xml, "NextContinuationToken");
  return page;
}

}  // namespace fanout::s3
