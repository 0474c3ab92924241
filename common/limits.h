// The byte budgets every process agrees on. Whatever batches (leases, reports, checkpoints) is cut
// by bytes as well as by count, so that no call is ever refused for its size and retried forever;
// whatever one user can make big (an item, a result, a checkpoint) has a limit of its own and fails
// alone, with a message that names the limit, when it is over.
#ifndef FANOUT_COMMON_LIMITS_H_
#define FANOUT_COMMON_LIMITS_H_

#include <cstddef>

namespace fanout {

// One item of a job's source, as JSON: AWS Lambda's limit for an asynchronous event (since 2025).
// The coordinator's --max_item_bytes.
inline constexpr size_t kDefaultMaxItemBytes = size_t{1} << 20;
// The items of one task together (a batch is one invocation's event): Lambda's synchronous
// payload limit. A batch that would be bigger is cut into smaller tasks.
inline constexpr size_t kDefaultMaxTaskBytes = size_t{6} << 20;
// The results of one task together: Lambda's response limit. The coordinator's --max_result_bytes.
inline constexpr size_t kDefaultMaxResultBytes = size_t{6} << 20;
// A handler's checkpoint cursor.
inline constexpr size_t kMaxCursorBytes = size_t{1} << 20;
// What a function printed during an invocation, kept with its attempt (the tail).
inline constexpr size_t kMaxLogBytes = 4096;
// gRPC messages between fanout's own processes (both directions).
inline constexpr size_t kMaxMessageBytes = size_t{64} << 20;
// Where a batch of leases, outcomes or checkpoints is cut: well under kMaxMessageBytes, so that
// one task at its limits (items + results + cursor) always fits beside the rest.
inline constexpr size_t kBatchBytes = size_t{16} << 20;
// Jobs in one SubmitJobs call: a trigger's POST or queue fetch of events, cut into calls this big.
inline constexpr int kMaxSubmitBatch = 1000;
// How often clients ping an otherwise quiet connection to the coordinator, which must permit it.
inline constexpr int kClientKeepaliveMs = 5000;

}  // namespace fanout

#endif  // FANOUT_COMMON_LIMITS_H_
