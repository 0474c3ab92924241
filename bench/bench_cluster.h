// A coordinator and workers started from bin/ for benchmarks, with the measurements benchmarks
// share (CPU time and peak RSS of a process). Same real binaries and durable settings as
// production.
#ifndef FANOUT_BENCH_BENCH_CLUSTER_H_
#define FANOUT_BENCH_BENCH_CLUSTER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "proto/job_service.grpc.pb.h"
#include "tests/process.h"

namespace fanout::bench {

// CPU seconds (user + system) a process has used so far; its peak RSS in KiB.
double CpuSeconds(pid_t pid);
int64_t PeakRssKb(pid_t pid);
double Percentile(std::vector<double> values, double p);

// Thread-compatible. Stops its processes when destroyed.
class BenchCluster {
 public:
  static absl::StatusOr<std::unique_ptr<BenchCluster>> Start(const std::string& bin_dir,
                                                             int workers, int slots,
                                                             std::vector<std::string> flags = {});
  ~BenchCluster();

  v1::JobService::Stub& jobs() { return *jobs_; }
  const std::string& address() const { return address_; }  // the coordinator's host:port
  const std::string& dir() const { return dir_; }          // scratch, removed with the cluster
  testing::Process& coordinator() { return *coordinator_; }
  std::vector<std::unique_ptr<testing::Process>>& workers() { return workers_; }
  // Submits `spec` and follows its WatchJob stream until it ends.
  absl::StatusOr<v1::Job> RunJob(const v1::JobSpec& spec);
  // The new job's id.
  absl::StatusOr<std::string> Submit(const v1::JobSpec& spec);
  absl::StatusOr<v1::Job> GetJob(const std::string& job_id);
  // Follows the job's WatchJob stream until it ends.
  absl::StatusOr<v1::Job> WaitForEnd(const std::string& job_id);
  absl::StatusOr<std::vector<v1::Task>> Tasks(const std::string& job_id);
  // Stops the coordinator with `signal` and starts it again on the same port and data, with
  // `flags` in place of the first start's own; returns how long it took to serve again.
  absl::StatusOr<absl::Duration> RestartCoordinator(int signal, std::vector<std::string> flags);

 private:
  BenchCluster() = default;
  absl::Status StartCoordinator(std::vector<std::string> flags);
  std::string bin_;
  std::string dir_;
  std::string address_;
  int port_ = 0;
  std::unique_ptr<testing::Process> coordinator_;
  std::vector<std::unique_ptr<testing::Process>> workers_;
  std::unique_ptr<v1::JobService::Stub> jobs_;
};

}  // namespace fanout::bench

#endif  // FANOUT_BENCH_BENCH_CLUSTER_H_
