// JSONL and CSV manifests (the first byte picks the format, the block size the bytes arrive in and
// how many items a read takes), read to the end from cursor to cursor as the split runner reads.
#include "coordinator/sources/record_reader.h"
#include "fuzz/fuzzed.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view text = fanout::fuzz::Text(data, size);
  const uint8_t choice = fanout::fuzz::TakeByte(&text);
  const bool csv = choice & 1;
  const size_t block = 1 + (choice >> 1) % 64;
  const size_t step = 1 + choice % 7;
  const std::string manifest(text);
  fanout::coordinator::ReadBlock read = [&](uint64_t offset,
                                            size_t max) -> absl::StatusOr<std::string> {
    if (offset >= manifest.size()) return std::string();
    return manifest.substr(offset, std::min(max, block));
  };
  std::string cursor;
  for (int reads = 0; reads < 1000; ++reads) {
    absl::StatusOr<fanout::coordinator::SourceBatch> batch =
        fanout::coordinator::ReadManifest(csv, "fuzz", read, cursor, step, /*max_item_bytes=*/4096);
    if (!batch.ok() || batch->done) break;
    cursor = batch->cursor;
  }
  return 0;
}
