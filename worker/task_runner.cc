#include "worker/task_runner.h"

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/proto_time.h"

namespace fanout::worker {

v1::TaskOutcome RunTask(const v1::LeasedTask& task, const JobInfo& job, Handler& handler,
                        const Clock& clock, CancelFlag cancelled) {
  v1::TaskOutcome outcome;
  *outcome.mutable_ref() = task.ref();
  const absl::Time start = clock.Now();
  Context context(clock, absl::StrCat(job.job_id, "/", task.ref().index(), "/", task.ref().epoch()),
                  start + job.timeout, task.attempt(), cancelled);
  v1::TaskResults results;
  for (int i = 0; i < task.items_size(); ++i) {
    absl::Status stop;
    if (context.cancelled()) {
      stop = absl::CancelledError("stopped: the lease was lost or the job cancelled");
    } else if (context.remaining() <= absl::ZeroDuration()) {
      stop = absl::DeadlineExceededError(
          absl::StrCat("ran past its time limit of ", absl::FormatDuration(job.timeout)));
    } else {
      Event event{task.items(i), job.params, job.job_id, task.ref().index()};
      absl::StatusOr<std::string> result = handler.Invoke(event, context);
      if (result.ok()) {
        results.add_results(std::move(*result));
        continue;
      }
      stop = result.status();
    }
    v1::TaskError error = TaskErrorFromStatus(stop);
    if (task.items_size() > 1) error.set_message(absl::StrCat("item ", i, ": ", error.message()));
    *outcome.mutable_error() = std::move(error);
    break;
  }
  if (!outcome.has_error()) *outcome.mutable_results() = std::move(results);
  ToProto(clock.Now() - start, outcome.mutable_duration());
  return outcome;
}

}  // namespace fanout::worker
