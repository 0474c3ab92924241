// The handler interface every runtime implements: an event in, a result (JSON) or a typed error
// out. Built-in handlers run in-process; out-of-process runtimes (Lambda Runtime API, exec)
// implement the same interface by shipping the event to another process.
//
// Long work checkpoints: a handler calls context.checkpoint(cursor, progress) as it goes; once that
// returns OK the cursor is on the coordinator's disk. When the invocation reaches its time limit
// (context.cancelled() turns true, remaining() <= 0) the handler returns — any error will do,
// kDeadlineExceeded says it best — and the task continues from the last committed cursor, on any
// worker, where context.resume_cursor() hands it back.
#ifndef FANOUT_WORKER_HANDLER_H_
#define FANOUT_WORKER_HANDLER_H_

#include <atomic>
#include <cstdint>
#include <functional>
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
  uint32_t item_index = 0;  // position of the item within its task's batch
};

// Commits a checkpoint; returns once it is durable, or why it was refused (kAborted: the lease was
// lost; kCancelled: the job was cancelled; kUnavailable: the coordinator could not be reached).
using Checkpointer = std::function<absl::Status(absl::string_view cursor, double progress)>;

// What a handler may ask about its invocation. Valid for the invocation only. Thread-compatible,
// except the cancel flag, which another thread may raise at any time.
class Context {
 public:
  struct Setup {
    std::string request_id;
    absl::Time deadline = absl::InfiniteFuture();
    uint32_t attempt = 1;
    std::string resume_cursor;
    std::shared_ptr<const std::atomic<bool>> cancelled;  // lease lost or job cancelled
    // Raised when the worker must stop (drain ran out): the invocation's time is up now.
    std::shared_ptr<const std::atomic<bool>> stop_now;
    Checkpointer checkpointer;  // null: checkpoints are not kept
  };
  Context(const Clock& clock, Setup setup) : clock_(clock), setup_(std::move(setup)) {}
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  const std::string& request_id() const { return setup_.request_id; }
  absl::Time deadline() const { return setup_.deadline; }
  absl::Duration remaining() const {
    if (setup_.stop_now && setup_.stop_now->load(std::memory_order_relaxed)) {
      return absl::ZeroDuration();
    }
    return setup_.deadline - clock_.Now();
  }
  // 1 for the first attempt of the task (continuations do not count as attempts).
  uint32_t attempt() const { return setup_.attempt; }
  // The cursor of the last committed checkpoint; empty on a first run.
  const std::string& resume_cursor() const { return setup_.resume_cursor; }
  // True when the handler should stop now: its time limit is reached, its job was cancelled, or its
  // lease was lost (its result would be refused).
  bool cancelled() const { return lease_gone() || remaining() <= absl::ZeroDuration(); }
  bool lease_gone() const {
    return setup_.cancelled && setup_.cancelled->load(std::memory_order_relaxed);
  }
  // Commits `cursor` (opaque bytes) and `progress` (0..1) durably before returning OK. Any other
  // status means: stop.
  absl::Status checkpoint(absl::string_view cursor, double progress) {
    if (!setup_.checkpointer) return absl::OkStatus();
    return setup_.checkpointer(cursor, progress);
  }

  // What out-of-process runtimes tell about the invocation: the tail of its output and, for a
  // cold start, how long the runtime took to start. Set by the handler's thread.
  void set_logs(std::string logs) { logs_ = std::move(logs); }
  const std::string& logs() const { return logs_; }
  void set_init_duration(absl::Duration init) { init_duration_ = init; }
  absl::Duration init_duration() const { return init_duration_; }

 private:
  const Clock& clock_;
  const Setup setup_;
  std::string logs_;
  absl::Duration init_duration_;
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
  // True when a task of several items is one invocation with {"Items": [...]} (Step Functions'
  // ItemBatcher shape, which Lambda functions expect) instead of one invocation per item. Its
  // response is a list of one result per item, or one result that every item gets.
  virtual bool TakesBatches() const { return false; }
};

}  // namespace fanout::worker

#endif  // FANOUT_WORKER_HANDLER_H_
