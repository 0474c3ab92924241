// Writes an ended job's manifests through a sink: one JSONL line per item that succeeded
// ({"item", "result", "task"}), one per item that did not ({"item", "state", "code", "message",
// "attempts", "task"} — failed, dead or cancelled), then manifest.json naming both and counting the
// job's tasks. Reads the job's tasks a page at a time: memory stays flat however big the job.
#ifndef FANOUT_COORDINATOR_FAN_IN_MANIFEST_WRITER_H_
#define FANOUT_COORDINATOR_FAN_IN_MANIFEST_WRITER_H_

#include "absl/status/statusor.h"
#include "coordinator/fan_in/manifest_sink.h"
#include "coordinator/job_store.h"
#include "proto/fanout.pb.h"

namespace fanout::coordinator {

// `job` has ended. Returns the fan-in to record (state WRITTEN, files, counts, manifest).
absl::StatusOr<v1::FanIn> WriteManifests(JobStore& store, const v1::Job& job, ManifestSink& sink);

// The manifest.json of `job` whose streams went to `files`.
std::string ManifestJson(const v1::Job& job, const v1::FanIn& fan_in);

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_FAN_IN_MANIFEST_WRITER_H_
