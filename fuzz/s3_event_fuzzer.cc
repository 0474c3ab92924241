// S3 event notifications in every dialect (AWS, MinIO, Ceph), as a body: the parser, the item and
// the key each event becomes.
#include "fuzz/fuzzed.h"
#include "trigger/s3_event.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::StatusOr<fanout::trigger::S3Records> records =
      fanout::trigger::ParseS3Events(fanout::fuzz::Text(data, size));
  if (!records.ok()) return 0;
  for (const fanout::trigger::S3Event& event : records->events) {
    (void)fanout::trigger::EventItem(event);
    (void)fanout::trigger::EventIdempotencyKey("rule", event);
  }
  return 0;
}
