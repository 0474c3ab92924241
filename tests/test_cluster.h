// A fanout deployment for integration tests, made of the real binaries: one coordinator on port 0
// (restarted on the same port and data directory after a kill) and any number of workers, all on
// 127.0.0.1. Logs go to the test's artifact directory.
#ifndef FANOUT_TESTS_TEST_CLUSTER_H_
#define FANOUT_TESTS_TEST_CLUSTER_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "proto/job_service.grpc.pb.h"
#include "tests/process.h"

namespace fanout::testing {

// Thread-compatible. Owned by the test.
class TestCluster {
 public:
  // `env` ("NAME=value", e.g. S3 settings) is given to every process the cluster starts.
  explicit TestCluster(const std::string& name, std::vector<std::string> env = {});
  ~TestCluster();

  // Starts (or restarts, on the same port and data) the coordinator; returns once it serves.
  absl::Status StartCoordinator(const std::vector<std::string>& flags = {});
  void KillCoordinator(int signal = 9);
  Process* coordinator() { return coordinator_.get(); }

  // Starts a worker named `worker_id`.
  absl::Status StartWorker(const std::string& worker_id, int slots,
                           const std::vector<std::string>& flags = {});
  void KillWorker(const std::string& worker_id, int signal = 9);
  Process* worker(const std::string& worker_id) { return workers_[worker_id].get(); }

  std::string address() const;
  const std::string& data_dir() const { return data_dir_; }
  v1::JobService::Stub& jobs() { return *jobs_; }

  absl::StatusOr<v1::Job> Submit(const v1::JobSpec& spec);
  absl::StatusOr<v1::Job> GetJob(const std::string& job_id);
  // Polls until the job ends; survives coordinator restarts in between.
  absl::StatusOr<v1::Job> WaitForJob(const std::string& job_id, absl::Duration timeout);
  // Polls until `done(job)` holds (or the job ended); survives coordinator restarts in between.
  absl::StatusOr<v1::Job> WaitForJob(const std::string& job_id,
                                     const std::function<bool(const v1::Job&)>& done,
                                     absl::Duration timeout = absl::Minutes(2));
  absl::StatusOr<std::vector<v1::Task>> Tasks(const std::string& job_id);
  absl::StatusOr<std::vector<v1::ItemResult>> Results(const std::string& job_id);
  // Runs bin `fanout` with --coordinator set.
  CommandResult Cli(std::vector<std::string> args);

 private:
  std::string name_;
  std::vector<std::string> env_;
  std::string data_dir_;
  std::string logs_;
  int port_ = 0;
  int coordinator_starts_ = 0;
  std::unique_ptr<Process> coordinator_;
  std::map<std::string, std::unique_ptr<Process>> workers_;
  std::unique_ptr<v1::JobService::Stub> jobs_;
};

}  // namespace fanout::testing

#endif  // FANOUT_TESTS_TEST_CLUSTER_H_
