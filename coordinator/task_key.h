// Compact identity of a task inside the coordinator: the job's sequence number and the task's
// index. Job ids on the wire are "job-<seq>"; keys on disk are the two numbers big-endian
// (store_keys.h).
#ifndef FANOUT_COORDINATOR_TASK_KEY_H_
#define FANOUT_COORDINATOR_TASK_KEY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace fanout::coordinator {

struct TaskKey {
  uint64_t job_seq = 0;
  uint64_t index = 0;

  friend bool operator==(const TaskKey& a, const TaskKey& b) {
    return a.job_seq == b.job_seq && a.index == b.index;
  }
  friend bool operator<(const TaskKey& a, const TaskKey& b) {
    return std::tie(a.job_seq, a.index) < std::tie(b.job_seq, b.index);
  }
  template <typename H>
  friend H AbslHashValue(H h, const TaskKey& k) {
    return H::combine(std::move(h), k.job_seq, k.index);
  }
};

inline std::string JobIdFromSeq(uint64_t seq) { return absl::StrCat("job-", seq); }

inline std::optional<uint64_t> SeqFromJobId(absl::string_view job_id) {
  uint64_t seq = 0;
  if (!absl::ConsumePrefix(&job_id, "job-") || !absl::SimpleAtoi(job_id, &seq) || seq == 0) {
    return std::nullopt;
  }
  return seq;
}

// The one answer for a job id the coordinator does not know.
inline absl::Status NoJobError(absl::string_view job_id) {
  return absl::NotFoundError(absl::StrCat("job_id: no job '", job_id, "'"));
}

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_TASK_KEY_H_
