#include "worker/task_runner.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/guard.h"
#include "common/json_text.h"
#include "common/proto_time.h"
#include "common/utf8.h"

namespace fanout::worker {
namespace {

// How long a checkpoint may keep trying past the time limit: the handler's last words.
constexpr absl::Duration kLastCheckpointGrace = absl::Seconds(2);
// A batch keeps the results of its finished items at least this often, so that an invocation that
// is cut short (or abandoned in a hung item) loses little.
constexpr absl::Duration kItemCheckpointEvery = absl::Seconds(1);

double Fraction(double progress) {
  return std::isfinite(progress) ? std::clamp(progress, 0.0, 1.0) : 0;
}

// One invocation of a task: the loop over its items and the bookkeeping of its checkpoints.
class TaskRun {
 public:
  TaskRun(const v1::LeasedTask& task, const JobInfo& job, Handler& handler,
          const RunEnvironment& env)
      : task_(task), job_(job), handler_(handler), env_(env) {
    *outcome_.mutable_ref() = task.ref();
    start_ = last_commit_ = env.clock.Now();
    deadline_ = start_ + job.timeout;
    if (!task.resume_cursor().empty() && !resume_.ParseFromString(task.resume_cursor())) {
      resume_.Clear();  // not ours (written by another version?): start over
    }
    first_ = std::min<int>(resume_.item(), task.items_size());
    for (int i = 0; i < first_ && i < resume_.results_size(); ++i) {
      result_bytes_ += resume_.results(i).size();
      results_.add_results(resume_.results(i));
    }
  }

  v1::TaskOutcome Run() {
    if (handler_.TakesBatches() && task_.items_size() > 1) return RunBatch();
    for (int i = first_; i < task_.items_size(); ++i) {
      if (env_.cancelled->load()) return Stop(absl::CancelledError(kLeaseGone), i);
      if (TimeIsUp()) return Continue(i);
      if (i > first_ && env_.clock.Now() - last_commit_ >= kItemCheckpointEvery) {
        (void)Commit(i, "", 0);
      }
      absl::StatusOr<std::string> result = Invoke(i);
      if (result.ok()) result = Checked(*std::move(result));
      if (result.ok()) {
        results_.add_results(std::move(*result));
        continue;
      }
      if (env_.cancelled->load()) return Stop(absl::CancelledError(kLeaseGone), i);
      // Past the time limit, a handler that stopped — or could not reach the coordinator to
      // checkpoint — continues from its last checkpoint rather than failing.
      const absl::StatusCode code = result.status().code();
      if (TimeIsUp() &&
          (code == absl::StatusCode::kDeadlineExceeded || code == absl::StatusCode::kCancelled ||
           code == absl::StatusCode::kUnavailable)) {
        return Continue(i);
      }
      return Stop(result.status(), i);
    }
    *outcome_.mutable_results() = std::move(results_);
    return Finish();
  }

 private:
  static constexpr char kLeaseGone[] = "stopped: the lease was lost or the job cancelled";

  // A result must be text (it travels in a protobuf string, which the coordinator would refuse
  // to parse) and, with the task's others, within the result limit: else the task fails, fatally
  // (the same handler would return the same again), with a message that names the limit.
  absl::StatusOr<std::string> Checked(std::string result) {
    result_bytes_ += result.size();
    if (result_bytes_ > job_.max_result_bytes) {
      return absl::FailedPreconditionError(
          absl::StrCat("the result is ", result.size(), " bytes (", result_bytes_,
                       " with the task's others), over the limit of ", job_.max_result_bytes,
                       " (the coordinator's --max_result_bytes)"));
    }
    if (absl::Status utf8 = CheckUtf8(result, "the result"); !utf8.ok()) {
      return absl::FailedPreconditionError(utf8.message());
    }
    return result;
  }

  bool TimeIsUp() const {
    return env_.clock.Now() >= deadline_ || (env_.stop_now && env_.stop_now->load());
  }

  // The whole task as one invocation of {"Items": [...]}: its checkpoints are the task's (item 0).
  v1::TaskOutcome RunBatch() {
    if (env_.cancelled->load()) return Stop(absl::CancelledError(kLeaseGone), 0);
    if (TimeIsUp()) return Continue(0);
    std::string batch = R"({"Items":[)";
    for (int i = 0; i < task_.items_size(); ++i) {
      if (i > 0) batch += ',';
      batch += task_.items(i);
    }
    batch += "]}";
    absl::StatusOr<std::string> result = Invoke(0, batch);
    if (!result.ok()) {
      if (env_.cancelled->load()) return Stop(absl::CancelledError(kLeaseGone), 0);
      const absl::StatusCode code = result.status().code();
      if (TimeIsUp() &&
          (code == absl::StatusCode::kDeadlineExceeded || code == absl::StatusCode::kCancelled ||
           code == absl::StatusCode::kUnavailable)) {
        return Continue(0);
      }
      return Stop(result.status(), -1);
    }
    absl::StatusOr<std::vector<std::string>> spread = Spread(*result);
    if (!spread.ok()) return Stop(spread.status(), -1);
    for (std::string& one : *spread) {
      absl::StatusOr<std::string> checked = Checked(std::move(one));
      if (!checked.ok()) return Stop(checked.status(), -1);
      results_.add_results(*std::move(checked));
    }
    *outcome_.mutable_results() = std::move(results_);
    return Finish();
  }

  // A batch's response: a list of one result per item, else one result for every item.
  absl::StatusOr<std::vector<std::string>> Spread(const std::string& response) const {
    const size_t n = static_cast<size_t>(task_.items_size());
    absl::StatusOr<nlohmann::json> parsed = ParseJson(response, "the batch's response");
    if (parsed.ok() && parsed->is_array() && parsed->size() == n) {
      std::vector<std::string> out;
      for (const nlohmann::json& one : *parsed) out.push_back(DumpJson(one));
      return out;
    }
    return std::vector<std::string>(n, response);
  }

  absl::StatusOr<std::string> Invoke(int i, absl::string_view item = {}) {
    Context::Setup setup;
    setup.request_id =
        absl::StrCat(job_.job_id, "/", task_.ref().index(), "/", task_.ref().epoch());
    setup.deadline = deadline_;
    setup.attempt = task_.attempt();
    if (i == first_) setup.resume_cursor = resume_.cursor();
    setup.cancelled = env_.cancelled;
    setup.stop_now = env_.stop_now;
    setup.checkpointer = [this, i](absl::string_view cursor, double progress) {
      return Commit(i, cursor, progress);
    };
    Context context(env_.clock, std::move(setup));
    Event event{item.data() != nullptr ? item : absl::string_view(task_.items(i)), job_.params,
                job_.job_id, task_.ref().index(), static_cast<uint32_t>(i)};
    // A handler that throws fails its task (retryably: INTERNAL), never the worker.
    absl::StatusOr<std::string> result =
        Guarded("the handler", [&] { return handler_.Invoke(event, context); });
    KeepLogs(context);
    return result;
  }

  // The invocation's output tail joins the outcome's (the last kMaxLogBytes of the task), as
  // UTF-8: the report would not parse otherwise.
  void KeepLogs(const Context& context) {
    if (context.init_duration() > absl::ZeroDuration()) {
      ToProto(context.init_duration() + (outcome_.has_init_duration()
                                             ? FromProto(outcome_.init_duration())
                                             : absl::ZeroDuration()),
              outcome_.mutable_init_duration());
    }
    if (context.logs().empty()) return;
    std::string* logs = outcome_.mutable_logs();
    logs->append(context.logs());
    if (logs->size() > kMaxLogBytes) logs->erase(0, logs->size() - kMaxLogBytes);
    *logs = ReplaceInvalidUtf8(*logs);
  }

  absl::Status Commit(int item, absl::string_view cursor, double progress) {
    if (cursor.size() > kMaxCursorBytes) {
      return absl::InvalidArgumentError(absl::StrCat("checkpoint: the cursor is ", cursor.size(),
                                                     " bytes, over the limit of ",
                                                     kMaxCursorBytes));
    }
    v1::TaskCheckpoint cp;
    cp.set_item(item);
    *cp.mutable_results() = results_.results();
    cp.set_cursor(std::string(cursor));
    const double fraction = (item + Fraction(progress)) / task_.items_size();
    const absl::Time deadline = std::max(deadline_, env_.clock.Now() + kLastCheckpointGrace);
    absl::StatusOr<v1::LeaseStatus> status =
        env_.commit(cp.SerializeAsString(), fraction, deadline);
    if (!status.ok()) return status.status();
    switch (*status) {
      case v1::LEASE_OK:
        committed_item_ = item;
        last_commit_ = env_.clock.Now();
        return absl::OkStatus();
      case v1::LEASE_CANCELLED:
        env_.cancelled->store(true);
        return absl::CancelledError("checkpoint refused: the job was cancelled");
      default:
        env_.cancelled->store(true);
        return absl::AbortedError(
            "checkpoint refused: the lease was lost (the task was handed to another worker)");
    }
  }

  // The time limit stopped item `i`: keep the results of the items finished since the last
  // checkpoint, then hand the task back as a continuation.
  v1::TaskOutcome Continue(int i) {
    if (i > first_ && committed_item_ != i) (void)Commit(i, "", 0);
    outcome_.set_continued(true);
    return Finish();
  }

  v1::TaskOutcome Stop(const absl::Status& status, int i) {
    v1::TaskError error = TaskErrorFromStatus(status);
    // Messages carry outside text (an S3 error body, say): what is not UTF-8 is replaced, or the
    // coordinator could not parse the report.
    error.set_message(ReplaceInvalidUtf8(error.message()));
    if (task_.items_size() > 1 && i >= 0) {
      error.set_message(absl::StrCat("item ", i, ": ", error.message()));
    }
    *outcome_.mutable_error() = std::move(error);
    return Finish();
  }

  v1::TaskOutcome Finish() {
    ToProto(env_.clock.Now() - start_, outcome_.mutable_duration());
    return std::move(outcome_);
  }

  const v1::LeasedTask& task_;
  const JobInfo& job_;
  Handler& handler_;
  const RunEnvironment& env_;
  v1::TaskOutcome outcome_;
  v1::TaskCheckpoint resume_;
  v1::TaskResults results_;
  absl::Time start_, deadline_, last_commit_;
  int first_ = 0;
  int committed_item_ = -1;
  size_t result_bytes_ = 0;
};

}  // namespace

v1::TaskOutcome RunTask(const v1::LeasedTask& task, const JobInfo& job, Handler& handler,
                        const RunEnvironment& env) {
  return TaskRun(task, job, handler, env).Run();
}

}  // namespace fanout::worker
