// RocksDB key layout. Numbers are big-endian so that keys sort in numeric order:
//   jobs CF:         job_seq (8 bytes)                -> v1::Job without its spec (rewritten often)
//   specs CF:        job_seq (8 bytes)                -> v1::JobSpec (written once)
//   tasks CF:        job_seq (8) + task index (8)     -> v1::Task
//   idempotency CF:  the key's bytes                  -> job_seq (8)
//   active CF:       job_seq (8)                      -> "" : running, or its fan-in unwritten:
//                                                          what the coordinator loads at start
//   ended CF:        kind (1) + end (8, unix micros) + job_seq (8) -> "" : ended jobs by end
//                    time, kind 'k' (keys to forget) and 'j' (job to delete): what retention walks
//   default CF:      "next_job_seq"                   -> job_seq (8)
//                    "jobs_indexed"                   -> "1" once active and ended index all jobs
#ifndef FANOUT_COORDINATOR_STORE_KEYS_H_
#define FANOUT_COORDINATOR_STORE_KEYS_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "coordinator/task_key.h"

namespace fanout::coordinator {

inline constexpr absl::string_view kNextJobSeqKey = "next_job_seq";
// Set once the active and ended families index every stored job (RocksDbJobStore::Migrate).
inline constexpr absl::string_view kIndexedKey = "jobs_indexed";

inline void AppendBigEndian(uint64_t v, std::string* out) {
  for (int shift = 56; shift >= 0; shift -= 8)
    out->push_back(static_cast<char>((v >> shift) & 0xff));
}

inline uint64_t ReadBigEndian(absl::string_view bytes) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && i < bytes.size(); ++i) v = (v << 8) | static_cast<uint8_t>(bytes[i]);
  return v;
}

inline std::string EncodeSeq(uint64_t seq) {
  std::string out;
  AppendBigEndian(seq, &out);
  return out;
}

inline std::string EncodeTaskKey(TaskKey key) {
  std::string out;
  out.reserve(16);
  AppendBigEndian(key.job_seq, &out);
  AppendBigEndian(key.index, &out);
  return out;
}

inline constexpr char kForgetKeys = 'k';
inline constexpr char kDeleteJob = 'j';

inline std::string EncodeEndedKey(char kind, uint64_t end_micros, uint64_t seq) {
  std::string out(1, kind);
  AppendBigEndian(end_micros, &out);
  AppendBigEndian(seq, &out);
  return out;
}

inline TaskKey DecodeTaskKey(absl::string_view bytes) {
  return {ReadBigEndian(bytes.substr(0, 8)), ReadBigEndian(bytes.substr(8))};
}

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_STORE_KEYS_H_
