// The built-in handlers compiled into every worker (the names are listed in common/functions.h).
#ifndef FANOUT_WORKER_BUILTINS_BUILTINS_H_
#define FANOUT_WORKER_BUILTINS_BUILTINS_H_

#include <memory>

#include "worker/handler.h"

namespace fanout::worker {

// Returns the item unchanged.
std::unique_ptr<Handler> MakeNoopHandler();
// Sleeps `ms` milliseconds: the item's "ms" when it is an object, else the job parameter "ms",
// else 10. Stops early when cancelled.
std::unique_ptr<Handler> MakeSleepHandler();
// Fails as the item says, for tests: {"fail": "retryable"|"fatal"|"timeout"|"invalid",
// "times": N (only the first N attempts), "message": "..."}; the job parameter "fail" is the
// default.
std::unique_ptr<Handler> MakeFailHandler();
// SHA-256 of the file or S3 object the item names (see object_ref.h), or of its byte range.
std::unique_ptr<Handler> MakeSha256Handler();
// Lines of the file or S3 object the item names (newlines of a byte range).
std::unique_ptr<Handler> MakeLinesHandler();
// Copies the S3 object the item names to params.dest, unless it is there already (s3_copy.cc).
std::unique_ptr<Handler> MakeS3CopyHandler();
// Counts to the item's "n", checkpointing, across as many invocations as it takes (count.cc).
std::unique_ptr<Handler> MakeCountHandler();
// Returns a JSON string of `bytes` bytes (the item's "bytes", else the job parameter): for trying
// payload limits and measuring what big results cost.
std::unique_ptr<Handler> MakeBlobHandler();
// A reduce: totals the numeric fields of every result in a job's result manifest (sum.cc).
std::unique_ptr<Handler> MakeSumHandler();

}  // namespace fanout::worker

#endif  // FANOUT_WORKER_BUILTINS_BUILTINS_H_
