// `fanout logs JOB [--task=N] [--follow]`: what users' functions printed, per attempt (the last
// 4 KiB of each invocation, kept with its attempt); --follow prints new attempts as they end until
// the job does.
#include <iostream>
#include <set>
#include <utility>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "cli/client.h"
#include "cli/command_line.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "common/errors.h"
#include "common/json_text.h"
#include "common/proto_time.h"

namespace fanout::cli {
namespace {

using Seen = std::set<std::pair<uint64_t, int>>;  // (task, attempt) already printed

// What became of an invocation, in the words `results` uses: the state its task went to, or
// "retried" / "continued" when the task went on (a continuation uses no attempt).
std::string Outcome(const v1::Attempt& a) {
  if (a.continued()) return "continued";
  switch (a.outcome()) {
    case v1::TASK_PENDING:
      return "retried";
    case v1::TASK_LEASED:
      return "running";
    default:
      return std::string(TaskStateName(a.outcome()));
  }
}

void PrintAttempt(const v1::Task& task, int i, bool json) {
  const v1::Attempt& a = task.attempts(i);
  if (json) {
    std::cout << DumpJson({{"task", task.index()},
                           {"invocation", i + 1},
                           {"worker", a.worker_id()},
                           {"outcome", Outcome(a)},
                           {"continued", a.continued()},
                           {"logs", a.logs()}})
              << "\n";
    return;
  }
  // An invocation, not an attempt: continuations at the time limit use none (results counts those).
  std::cout << "== task " << task.index() << " invocation " << i + 1 << " on " << a.worker_id()
            << " (" << Outcome(a) << ", "
            << absl::FormatDuration(absl::Trunc(FromProto(a.duration()), absl::Milliseconds(1)))
            << ")\n"
            << a.logs();
  if (!a.logs().empty() && a.logs().back() != '\n') std::cout << "\n";
}

// Prints the ended attempts not printed yet; returns false on a failed call (printed).
bool PrintNew(Client& client, const std::string& job_id, int64_t only_task, Seen& seen,
              int* exit_code) {
  v1::ListTasksRequest request;
  request.set_job_id(job_id);
  do {
    v1::ListTasksResponse response;
    grpc::Status status = client.jobs->ListTasks(CallContext().get(), request, &response);
    if (!status.ok()) {
      *exit_code = Fail(client, status);
      return false;
    }
    for (const v1::Task& task : response.tasks()) {
      if (only_task >= 0 && task.index() != static_cast<uint64_t>(only_task)) continue;
      for (int i = 0; i < task.attempts_size(); ++i) {
        if (!task.attempts(i).has_ended_at() || !seen.insert({task.index(), i}).second) continue;
        PrintAttempt(task, i, absl::GetFlag(FLAGS_json));
      }
    }
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  std::cout << std::flush;
  return true;
}

}  // namespace

int LogsCommand(const std::string& job_id) {
  const int64_t only_task = absl::GetFlag(FLAGS_task);
  if (only_task < -1 || (only_task == -1 && FlagGiven("task"))) {
    return Fail(absl::InvalidArgumentError(absl::StrCat("--task=", only_task, " is negative")));
  }
  Client client = Connect();
  Seen seen;
  int exit_code = kExitOk;
  while (true) {
    v1::Job job;
    grpc::Status status = GetJob(client, job_id, &job);
    if (!status.ok()) return Fail(client, status);
    // A task the job does not have would print nothing, as one that printed nothing does.
    if (only_task >= 0 && job.split_done() &&
        static_cast<uint64_t>(only_task) >= job.counts().total()) {
      return Fail(absl::InvalidArgumentError(
          job.counts().total() == 0
              ? absl::StrCat("--task=", only_task, ": ", job_id, " has no tasks")
              : absl::StrCat("--task=", only_task, ": ", job_id, " has tasks 0 to ",
                             job.counts().total() - 1)));
    }
    if (!PrintNew(client, job_id, only_task, seen, &exit_code)) return exit_code;
    if (!absl::GetFlag(FLAGS_follow) || job.state() != v1::JOB_RUNNING) return kExitOk;
    absl::SleepFor(absl::Milliseconds(500));
  }
}

}  // namespace fanout::cli
