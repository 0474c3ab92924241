#include "coordinator/sources/sequential_source.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/status_macros.h"
#include "coordinator/sources/file_sources.h"
#include "coordinator/sources/s3_sources.h"

namespace fanout::coordinator {

absl::StatusOr<std::unique_ptr<SequentialSource>> MakeSequentialSource(absl::string_view spec,
                                                                       uint64_t split_bytes,
                                                                       size_t max_item_bytes,
                                                                       const FileRoots& roots) {
  spec = absl::StripAsciiWhitespace(spec);
  absl::string_view rest = spec;
  for (absl::string_view kind : {"jsonl:", "csv:", "dir:"}) {
    if (!absl::ConsumePrefix(&rest, kind)) continue;
    ASSIGN_OR_RETURN(const std::string path, roots.Check(rest, "source"));
    if (kind == "dir:") return MakeDirSource(spec, path, split_bytes);
    return MakeManifestFileSource(kind == "csv:", spec, path, max_item_bytes);
  }
  if (absl::StartsWith(spec, "s3-manifest://")) return MakeS3ManifestSource(spec, max_item_bytes);
  if (absl::StartsWith(spec, "s3://")) return MakeS3ListSource(spec, split_bytes);
  return nullptr;
}

}  // namespace fanout::coordinator
