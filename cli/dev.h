// `fanout dev`: a coordinator, workers and (optionally) a trigger in one process, the fanout-dev
// binary, which `fanout dev` execs.
#ifndef FANOUT_CLI_DEV_H_
#define FANOUT_CLI_DEV_H_

namespace fanout::cli {

// Runs until SIGINT or SIGTERM; returns the process exit code (client.h).
int DevCommand();

}  // namespace fanout::cli

#endif  // FANOUT_CLI_DEV_H_
