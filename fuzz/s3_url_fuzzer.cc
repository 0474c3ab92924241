// s3:// URLs (sources, result sinks, params) and the bucket names in them.
#include "fuzz/fuzzed.h"
#include "s3/s3_client.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text = fanout::fuzz::Text(data, size);
  absl::StatusOr<std::pair<std::string, std::string>> where =
      fanout::s3::ParseS3Url(text, "source");
  if (where.ok() && !fanout::s3::ValidateBucketName(where->first, "bucket").ok()) __builtin_trap();
  (void)fanout::s3::ValidateBucketName(text, "bucket");
  return 0;
}
