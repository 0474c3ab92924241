// Benchmark cli-start: how long a `fanout` command takes as a process, start to exit, the way a
// script or a shell prompt runs it (posix_spawn, output to /dev/null, waited for). Each command
// runs --runs times against a live coordinator; p50 and p99 are printed beside the target
// (issue 15: status, list and submit under 15 ms).
//
//   bazel-bin/bench/cli_start --bin_dir=bin [--runs=200]
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "bench/bench_cluster.h"

ABSL_FLAG(std::string, bin_dir, "bin", "where the fanout binaries are");
ABSL_FLAG(int, runs, 200, "runs of each command");

extern char** environ;

namespace fanout::bench {
namespace {

constexpr double kTargetMs = 15;

// Milliseconds from spawn to exit; -1 when it did not exit 0.
double TimeRun(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  const absl::Time start = absl::Now();
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) return -1;
  int status = 0;
  waitpid(pid, &status, 0);
  const double ms = absl::ToDoubleMilliseconds(absl::Now() - start);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? ms : -1;
}

struct Row {
  std::string name;
  std::vector<std::string> argv;
};

int Run() {
  const std::string bin = absl::GetFlag(FLAGS_bin_dir);
  absl::StatusOr<std::unique_ptr<BenchCluster>> cluster = BenchCluster::Start(bin, 1, 4);
  if (!cluster.ok()) return std::cerr << cluster.status() << "\n", 1;
  v1::JobSpec spec;
  spec.set_function("builtin:noop");
  spec.set_source("range:1-10");
  absl::StatusOr<v1::Job> job = (*cluster)->RunJob(spec);
  if (!job.ok()) return std::cerr << job.status() << "\n", 1;
  const std::string coordinator = "--coordinator=" + (*cluster)->address();
  const std::string fanout = bin + "/fanout";
  const std::vector<Row> rows = {
      {"fanout --version", {fanout, "--version"}},
      {"fanout status JOB", {fanout, "status", job->job_id(), coordinator}},
      {"fanout list", {fanout, "list", coordinator}},
      {"fanout submit (1 item)",
       {fanout, "submit", coordinator, "--function=builtin:noop", "--source=[1]"}},
  };
  std::cout << absl::StrFormat(
      "cli-start: a command as a process, spawn to exit, %d runs each, live coordinator\n"
      "| command                        | p50      | p99      | p50 / target (15 ms) |\n"
      "|--------------------------------|----------|----------|----------------------|\n",
      absl::GetFlag(FLAGS_runs));
  for (const Row& row : rows) {
    std::vector<double> ms;
    for (int i = 0; i < absl::GetFlag(FLAGS_runs); ++i) {
      const double t = TimeRun(row.argv);
      if (t < 0) return std::cerr << row.name << " failed\n", 1;
      ms.push_back(t);
    }
    const double p50 = Percentile(ms, 0.5);
    std::cout << absl::StrFormat("| %-30s | %5.2f ms | %5.2f ms | %19.2fx |\n", row.name, p50,
                                 Percentile(ms, 0.99), p50 / kTargetMs);
  }
  return 0;
}

}  // namespace
}  // namespace fanout::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return fanout::bench::Run();
}
