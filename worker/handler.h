// The handler interface every runtime implements: an event in, a result (JSON) or a typed error
// out. Built-in handlers run in-process; out-of-process runtimes (Lambda Runtime API, exec)
// implement the same interface by shipping the event to another process.
#ifndef FANOUT_WORKER_HANDLER_H_
#define FANOUT_WORKER_HANDLER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "nlohmann/json.hpp"

namespace fanout::worker {

// One invocation's input.
struct Event {
  absl::string_view item;        // the item, as JSON text
  const nlohmann::json& params;  // the job's parameters (a JSON object)
  absl::string_view job_id;
  uint64_t task_index = 0;
};

// What a handler may ask about its invocation. Not copyable; valid for the invocation only.
// Thread-compatible, except cancelled(), which another thread may flip at any time.
class Context {
 public:
  Context(const Clock& clock, std::string request_id, absl::Time deadline, uint32_t attempt,
          std::shared_ptr<const std::atomic<bool>> cancelled)
      : clock_(clock),
        request_id_(std::move(request_id)),
        deadline_(deadline),
        attempt_(attempt),
        cancelled_(std::move(cancelled)) {}
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  const std::string& request_id() const { return request_id_; }
  absl::Time deadline() const { return deadline_; }
  absl::Duration remaining() const { return deadline_ - clock_.Now(); }
  // 1 for the first attempt of the task.
  uint32_t attempt() const { return attempt_; }
  // True once the job was cancelled or the lease lost: the result would be refused, so stop.
  bool cancelled() const { return cancelled_ && cancelled_->load(std::memory_order_relaxed); }

 private:
  const Clock& clock_;
  const std::string request_id_;
  const absl::Time deadline_;
  const uint32_t attempt_;
  const std::shared_ptr<const std::atomic<bool>> cancelled_;
};

// Implementations must be thread-safe: one instance serves every slot of a worker.
// Return codes choose what happens next (common/errors.h): kUnavailable and friends retry,
// kInvalidArgument means bad input, kFailedPrecondition / kNotFound are fatal, kDeadlineExceeded
// is a timeout, kCancelled a stop on request.
class Handler {
 public:
  virtual ~Handler() = default;
  // Returns the result as JSON text.
  virtual absl::StatusOr<std::string> Invoke(const Event& event, Context& context) = 0;
};

}  // namespace fanout::worker

#endif  // FANOUT_WORKER_HANDLER_H_
