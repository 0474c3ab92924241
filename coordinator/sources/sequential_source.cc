#include "coordinator/sources/sequential_source.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "coordinator/sources/file_sources.h"
#include "coordinator/sources/s3_sources.h"

namespace fanout::coordinator {

absl::StatusOr<std::unique_ptr<SequentialSource>> MakeSequentialSource(absl::string_view spec,
                                                                       uint64_t split_bytes,
                                                                       size_t max_item_bytes) {
  spec = absl::StripAsciiWhitespace(spec);
  absl::string_view rest = spec;
  if (absl::ConsumePrefix(&rest, "jsonl:"))
    return MakeManifestFileSource(false, spec, rest, max_item_bytes);
  if (absl::ConsumePrefix(&rest, "csv:"))
    return MakeManifestFileSource(true, spec, rest, max_item_bytes);
  if (absl::ConsumePrefix(&rest, "dir:")) return MakeDirSource(spec, rest, split_bytes);
  if (absl::StartsWith(spec, "s3-manifest://")) return MakeS3ManifestSource(spec, max_item_bytes);
  if (absl::StartsWith(spec, "s3://")) return MakeS3ListSource(spec, split_bytes);
  return nullptr;
}

}  // namespace fanout::coordinator
