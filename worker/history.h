// What the coordinator told this worker, for checkers of a run's history (the chaos and crash
// tests): every outcome it answered and every checkpoint it committed or refused, one JSON line
// each. Lines are appended with one write(2) each (O_APPEND), so a worker SIGKILLed mid-way leaves
// only whole lines, and workers may share nothing but a directory.
//   {"kind":"outcome","worker","job","task","epoch","status":"accepted"|"stale"|...,
//    "outcome":"results"|"error"|"continued"|"released","digest":SHA-256 of the results}
//   {"kind":"checkpoint","worker","job","task","epoch","status":"ok"|"lost"|...,"cursor_b64"}
#ifndef FANOUT_WORKER_HISTORY_H_
#define FANOUT_WORKER_HISTORY_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "proto/worker_service.pb.h"

namespace fanout::worker {

// Thread-safe (each line is one write). Owned by the worker's main.
class History {
 public:
  static absl::StatusOr<std::unique_ptr<History>> Open(const std::string& path,
                                                       std::string worker_id);
  ~History();

  void Outcome(const v1::TaskOutcome& outcome, v1::ReportStatus status);
  void Checkpoint(const v1::CheckpointEntry& entry, v1::LeaseStatus status);

  // The digest Outcome() records of a task's results: SHA-256 over each result and a newline.
  static std::string Digest(const google::protobuf::RepeatedPtrField<std::string>& results);

 private:
  History(int fd, std::string worker_id) : fd_(fd), worker_id_(std::move(worker_id)) {}
  void Append(std::string line);

  const int fd_;
  const std::string worker_id_;
};

}  // namespace fanout::worker

#endif  // FANOUT_WORKER_HISTORY_H_
