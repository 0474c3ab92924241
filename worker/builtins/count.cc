// builtin:count — a long task for demos and tests. The item is {"n": N}: it counts 0..N, spending
// `step_us` microseconds per step and checkpointing every `checkpoint_every` steps (job
// parameters), and when its time limit comes it checkpoints where it is and stops, to continue on
// any worker. With `trace_dir` every invocation appends the step ranges it executed to
// <trace_dir>/<job>.<task>.<item>.trace as "<request id> <from> <to> <unix ms>" lines (flushed at
// each checkpoint and every 20 ms), so tests can prove nothing was skipped and measure what was
// done twice.
#include <fcntl.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/json_text.h"
#include "worker/builtins/builtins.h"
#include "worker/builtins/object_ref.h"

namespace fanout::worker {
namespace {

using nlohmann::json;

constexpr absl::Duration kTraceFlushEvery = absl::Milliseconds(20);
constexpr absl::Duration kSleepSlice = absl::Milliseconds(10);

// Appends executed step ranges to a task's trace file; one write(2) per line (O_APPEND), so lines
// from concurrent or killed invocations never interleave.
class Trace {
 public:
  Trace(const json& params, const Event& event, const Context& context)
      : request_id_(context.request_id()) {
    if (!params.contains("trace_dir") || !params["trace_dir"].is_string()) return;
    // Written below the worker's file roots only, like every local file a built-in touches.
    absl::StatusOr<std::string> dir =
        LocalFileRoots().Check(params["trace_dir"].get<std::string>(), "params.trace_dir");
    if (!dir.ok()) {
      status_ = dir.status();
      return;
    }
    const std::string path = absl::StrCat(*dir, "/", event.job_id, ".", event.task_index, ".",
                                          event.item_index, ".trace");
    fd_ = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0644);
  }
  const absl::Status& status() const { return status_; }
  ~Trace() {
    if (fd_ >= 0) close(fd_);
  }
  void Record(int64_t from, int64_t to) {
    if (fd_ < 0 || to <= from) return;
    const std::string line =
        absl::StrCat(request_id_, " ", from, " ", to, " ", absl::ToUnixMillis(absl::Now()), "\n");
    (void)!write(fd_, line.data(), line.size());
  }

 private:
  std::string request_id_;
  absl::Status status_;
  int fd_ = -1;
};

absl::StatusOr<int64_t> PositiveParam(const json& params, const char* name, int64_t fallback,
                                      bool zero_ok) {
  if (!params.contains(name)) return fallback;
  const json& v = params[name];
  if (!v.is_number_integer() || v.get<int64_t>() < (zero_ok ? 0 : 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": must be an integer ", zero_ok ? ">= 0" : ">= 1"));
  }
  return v.get<int64_t>();
}

class CountHandler : public Handler {
 public:
  absl::StatusOr<std::string> Invoke(const Event& event, Context& context) override {
    json item = ParseJson(event.item, "item").value_or(json());
    if (!item.is_object() || !item.contains("n") || !item["n"].is_number_integer() ||
        item["n"].get<int64_t>() < 0) {
      return absl::InvalidArgumentError("item: expected {\"n\": N} with an integer N >= 0");
    }
    const int64_t n = item["n"].get<int64_t>();
    absl::StatusOr<int64_t> every = PositiveParam(event.params, "checkpoint_every", 1000, false);
    absl::StatusOr<int64_t> step_us = PositiveParam(event.params, "step_us", 0, true);
    if (!every.ok()) return every.status();
    if (!step_us.ok()) return step_us.status();

    // A cursor of ours; anything else (a checkpoint of another version) starts over.
    json cursor = ParseJson(context.resume_cursor(), "cursor").value_or(json());
    if (!cursor.is_object() || !cursor.contains("next") || !cursor["next"].is_number_integer() ||
        !cursor.contains("resumed_from") || !cursor["resumed_from"].is_array()) {
      cursor = json{{"next", 0}, {"resumed_from", json::array()}};
    }
    int64_t step = cursor["next"].get<int64_t>();
    cursor["resumed_from"].push_back(step);
    Trace trace(event.params, event, context);
    if (!trace.status().ok()) return trace.status();

    int64_t traced = step;
    const absl::Time start = absl::Now();
    const int64_t first = step;
    absl::Time last_flush = start;
    while (step < n && !context.cancelled()) {
      if (*step_us > 0) {
        // Steps keep to their schedule on average; sleeping in slices of 10 ms or more keeps a
        // hundred counting slots from costing a core in wake-ups.
        // Sleeps are cut in slices of at most 50 ms so that a stop is seen at once.
        const absl::Time due = start + absl::Microseconds(*step_us) * (step - first + 1);
        for (absl::Duration ahead = due - absl::Now(); ahead >= kSleepSlice && !context.cancelled();
             ahead = due - absl::Now()) {
          absl::SleepFor(std::min(ahead, absl::Milliseconds(50)));
        }
        if (context.cancelled()) break;
      }
      ++step;
      if (absl::Now() - last_flush >= kTraceFlushEvery) {
        trace.Record(traced, step);
        traced = step;
        last_flush = absl::Now();
      }
      if (step % *every == 0 && step < n) {
        trace.Record(traced, step);
        traced = step;
        cursor["next"] = step;
        absl::Status committed = context.checkpoint(DumpJson(cursor), double(step) / n);
        if (!committed.ok()) return committed;  // refused: another worker owns the task now
      }
    }
    trace.Record(traced, step);
    if (step >= n) {
      return DumpJson(json{{"n", n},
                           {"invocations", cursor["resumed_from"].size()},
                           {"resumed_from", cursor["resumed_from"]}});
    }
    if (context.lease_gone()) return absl::CancelledError("count: stopped, the lease is gone");
    // Time is up: keep everything done so far, then hand over to the next invocation.
    cursor["next"] = step;
    absl::Status committed = context.checkpoint(DumpJson(cursor), double(step) / n);
    if (!committed.ok()) return committed;
    return absl::DeadlineExceededError(absl::StrCat("count: time limit reached at step ", step));
  }
};

}  // namespace

std::unique_ptr<Handler> MakeCountHandler() { return std::make_unique<CountHandler>(); }

}  // namespace fanout::worker
