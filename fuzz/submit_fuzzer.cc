// A submit request as JSON (what a client, or gRPC's JSON transcoding, would send): the spec is
// validated, normalized, and its inline or range source split, as the coordinator does before
// anything is stored.
#include "coordinator/job_validation.h"
#include "coordinator/splitter.h"
#include "fuzz/fuzzed.h"
#include "google/protobuf/util/json_util.h"
#include "proto/job_service.pb.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fanout::v1::SubmitJobRequest request;
  const std::string json(fanout::fuzz::Text(data, size));
  if (!google::protobuf::util::JsonStringToMessage(json, &request).ok()) return 0;
  fanout::v1::JobSpec spec = request.spec();
  if (!fanout::coordinator::ValidateJobSpec(spec).ok()) return 0;
  fanout::coordinator::NormalizeJobSpec(&spec);
  absl::StatusOr<std::unique_ptr<fanout::coordinator::Splitter>> splitter =
      fanout::coordinator::MakeSplitter(spec.source(), spec.options().batch_size());
  if (!splitter.ok()) return 0;
  const uint64_t tasks = (*splitter)->task_count();
  for (uint64_t i = 0; i < tasks && i < 8; ++i) (void)(*splitter)->TaskItems(i);
  if (tasks > 0) (void)(*splitter)->TaskItems(tasks - 1);
  return 0;
}
