// `fanout dev` from the client: runs the fanout-dev binary in its place.
#ifndef FANOUT_CLI_EXEC_DEV_H_
#define FANOUT_CLI_EXEC_DEV_H_

namespace fanout::cli {

// True when the command of `argv` (its first argument that is not a flag) is "dev".
bool IsDevCommand(int argc, char** argv);
// Replaces this process with fanout-dev (found beside this binary, else on PATH), passing argv
// without the "dev" command. Returns only on failure, with the exit code after saying why.
int ExecDev(int argc, char** argv);

}  // namespace fanout::cli

#endif  // FANOUT_CLI_EXEC_DEV_H_
