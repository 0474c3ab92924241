// Ctrl-C in the CLI. A command that follows a job (--wait, watch) must not leave the terminal
// mid-bar and silent: the job goes on in the coordinator, and the user should hear so and how to
// get back to it.
#ifndef FANOUT_CLI_INTERRUPT_H_
#define FANOUT_CLI_INTERRUPT_H_

#include <string>

namespace fanout::cli {

// Call first in main, before any thread starts: SIGINT and SIGTERM are then taken by a thread of
// their own, which ends the process with 130 (SIGINT) or 143 (SIGTERM), after a newline and the
// notice set last, if any.
void HandleInterrupts();
// What an interrupt prints from now on ("" for nothing).
void SetInterruptNotice(const std::string& notice);
// "job-16 is still running: fanout watch job-16 (follow it again) or fanout cancel job-16".
std::string StillRunningNotice(const std::string& job_id);

}  // namespace fanout::cli

#endif  // FANOUT_CLI_INTERRUPT_H_
