#include "cli/exec_dev.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <system_error>
#include <vector>

namespace fanout::cli {
namespace {

int CommandIndex(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (argv[i][0] != '-') return i;
  }
  return -1;
}

}  // namespace

bool IsDevCommand(int argc, char** argv) {
  const int i = CommandIndex(argc, argv);
  return i > 0 && std::strcmp(argv[i], "dev") == 0;
}

int ExecDev(int argc, char** argv) {
  int command = -1;  // the first "dev" (a flag's value before it is not the command)
  for (int i = 1; i < argc && command < 0; ++i) {
    if (std::strcmp(argv[i], "dev") == 0) command = i;
  }
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    if (i != command) args.push_back(argv[i]);
  }
  args.push_back(nullptr);
  std::error_code error;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  const std::string beside = (self.parent_path() / "fanout-dev").string();
  if (!error) {
    args[0] = const_cast<char*>(beside.c_str());
    execv(beside.c_str(), args.data());
  }
  const int beside_errno = errno;
  args[0] = const_cast<char*>("fanout-dev");
  execvp("fanout-dev", args.data());
  std::cerr << "fanout dev: cannot run fanout-dev: not beside this binary (" << beside << ": "
            << std::strerror(beside_errno) << ") nor on PATH (" << std::strerror(errno)
            << "); install it with fanout (./dev build puts both in bin/)\n";
  return 127;
}

}  // namespace fanout::cli
