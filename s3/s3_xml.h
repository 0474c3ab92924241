// Reads the few S3 XML documents the client needs — ListObjectsV2 results, CopyObject results and
// error bodies — with a small tag scanner instead of an XML library: the documents are flat and
// machine-made.
#ifndef FANOUT_S3_S3_XML_H_
#define FANOUT_S3_S3_XML_H_

#include <map>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace fanout::s3 {

struct ObjectInfo {
  std::string key;
  uint64_t size = 0;
  std::string etag;  // without quotes
  std::string last_modified;
  std::string content_type;                     // HEAD only
  std::map<std::string, std::string> metadata;  // x-amz-meta-* (HEAD only), names lower-cased
};

struct ListPage {
  std::vector<ObjectInfo> objects;
  std::string next_token;  // empty on the last page
};

// An object version, from ListObjectVersions.
struct ObjectVersion {
  ObjectInfo object;
  std::string version_id;  // "null" for what was written while versioning was off
  bool is_latest = false;
};

struct VersionPage {
  std::vector<ObjectVersion> versions;               // delete markers are left out
  std::string next_key_marker, next_version_marker;  // both empty on the last page
};

// The text of the first <tag>...</tag> in `xml`, entities decoded; empty if absent.
std::string XmlText(absl::string_view xml, absl::string_view tag);
// Every <tag>...</tag> element's inner XML.
std::vector<absl::string_view> XmlElements(absl::string_view xml, absl::string_view tag);
ListPage ParseListObjectsV2(absl::string_view xml);
VersionPage ParseListObjectVersions(absl::string_view xml);
// "&amp;" -> "&" and friends, numeric references included.
std::string XmlUnescape(absl::string_view s);
// Strips the quotes S3 puts around ETags.
std::string Unquote(absl::string_view etag);

}  // namespace fanout::s3

#endif  // FANOUT_S3_S3_XML_H_
