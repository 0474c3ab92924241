// Checks a submitted JobSpec before anything is stored: the function exists, the parameters are a
// JSON object, the options are in range. Errors are INVALID_ARGUMENT and name the offending field.
#ifndef FANOUT_COORDINATOR_JOB_VALIDATION_H_
#define FANOUT_COORDINATOR_JOB_VALIDATION_H_

#include "absl/status/status.h"
#include "proto/fanout.pb.h"

namespace fanout::coordinator {

inline constexpr uint32_t kMaxBatchSize = 10'000;
inline constexpr uint32_t kMaxAttemptsLimit = 1'000;
// Idempotency and item keys: an S3 key (up to 1 KiB) with its rule, bucket, ETag and version fits.
inline constexpr size_t kMaxKeyBytes = 2048;

absl::Status ValidateJobSpec(const v1::JobSpec& spec);

// Fills what an empty field means, so that equal requests compare equal (idempotent resubmission).
void NormalizeJobSpec(v1::JobSpec* spec);

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_JOB_VALIDATION_H_
