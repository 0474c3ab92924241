#include "worker/history.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/json_text.h"
#include "s3/sigv4.h"

namespace fanout::worker {
namespace {

using nlohmann::json;

const char* OutcomeKind(const v1::TaskOutcome& o) {
  switch (o.outcome_case()) {
    case v1::TaskOutcome::kResults:
      return "results";
    case v1::TaskOutcome::kError:
      return "error";
    case v1::TaskOutcome::kContinued:
      return "continued";
    default:
      return "released";
  }
}

json Ref(const std::string& worker, const v1::TaskRef& ref) {
  return {{"worker", worker}, {"job", ref.job_id()}, {"task", ref.index()}, {"epoch", ref.epoch()}};
}

}  // namespace

absl::StatusOr<std::unique_ptr<History>> History::Open(const std::string& path,
                                                       std::string worker_id) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--history_file: cannot open ", path, ": ", std::strerror(errno)));
  }
  return std::unique_ptr<History>(new History(fd, std::move(worker_id)));
}

History::~History() { ::close(fd_); }

std::string History::Digest(const google::protobuf::RepeatedPtrField<std::string>& results) {
  std::string all;
  for (const std::string& r : results) absl::StrAppend(&all, r, "\n");
  return s3::Sha256Hex(all);
}

void History::Outcome(const v1::TaskOutcome& outcome, v1::ReportStatus status) {
  json line = Ref(worker_id_, outcome.ref());
  line["kind"] = "outcome";
  line["status"] = status == v1::REPORT_ACCEPTED ? "accepted"
                   : status == v1::REPORT_STALE  ? "stale"
                                                 : "unknown";
  line["outcome"] = OutcomeKind(outcome);
  if (outcome.has_results()) line["digest"] = Digest(outcome.results().results());
  Append(DumpJson(line));
}

void History::Checkpoint(const v1::CheckpointEntry& entry, v1::LeaseStatus status) {
  json line = Ref(worker_id_, entry.ref());
  line["kind"] = "checkpoint";
  line["status"] = status == v1::LEASE_OK ? "ok" : status == v1::LEASE_LOST ? "lost" : "cancelled";
  line["cursor_b64"] = absl::Base64Escape(entry.cursor());
  Append(DumpJson(line));
}

void History::Append(std::string line) {
  line.push_back('\n');
  (void)!::write(fd_, line.data(), line.size());
}

}  // namespace fanout::worker
