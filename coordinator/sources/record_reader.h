// Reads records — JSONL lines or RFC 4180 CSV records (quoted fields may hold commas, quotes and
// newlines) — from a byte stream that arrives in blocks, remembering the offset and line number
// just past each record so that reading can resume there.
#ifndef FANOUT_COORDINATOR_SOURCES_RECORD_READER_H_
#define FANOUT_COORDINATOR_SOURCES_RECORD_READER_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/limits.h"
#include "coordinator/sources/sequential_source.h"

namespace fanout::coordinator {

// Where a manifest is read: bytes [offset, ...), `line` is the 1-based line at `offset`;
// `columns` are the CSV header's fields once read.
struct ManifestCursor {
  uint64_t offset = 0;
  uint64_t line = 1;
  std::vector<std::string> columns;
  std::string Encode() const;
  static ManifestCursor Decode(absl::string_view text);
};

// Reads bytes [offset, offset + max) of the manifest; an empty result means its end.
using ReadBlock = std::function<absl::StatusOr<std::string>(uint64_t offset, size_t max)>;

// Up to `max` items from a JSONL (`csv` false) or CSV manifest, starting at `cursor`. `name` (e.g.
// "jsonl:/data/x.jsonl") prefixes the error of a bad line. A bad line — not UTF-8, not JSON, nested
// too deep, the wrong number of CSV fields, over `max_item_bytes` — is one failed item; a bad CSV
// header (not UTF-8, a column named twice) fails the whole source (INVALID_ARGUMENT).
absl::StatusOr<SourceBatch> ReadManifest(bool csv, const std::string& name, const ReadBlock& read,
                                         absl::string_view cursor, size_t max,
                                         size_t max_item_bytes = kDefaultMaxItemBytes);

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_SOURCES_RECORD_READER_H_
