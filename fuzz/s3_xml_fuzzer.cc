// What an S3 server answers: ListObjectsV2 and ListObjectVersions pages, error bodies, entities.
#include "fuzz/fuzzed.h"
#include "s3/s3_xml.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view xml = fanout::fuzz::Text(data, size);
  (void)fanout::s3::ParseListObjectsV2(xml);
  (void)fanout::s3::ParseListObjectVersions(xml);
  (void)fanout::s3::XmlText(xml, "Code");
  (void)fanout::s3::XmlUnescape(xml);
  return 0;
}
