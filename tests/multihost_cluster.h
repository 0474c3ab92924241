// A fanout deployment over several hosts (tests/netns.h), made of the real binaries: the
// coordinator on one host, reached by the name coordinator.test (so it can move), workers on
// others, each optionally behind a fault proxy on its own host, and a trigger. Auth is on, as it
// must be beyond loopback: workers and the trigger get tokens of their roles, the test the admin's.
#ifndef FANOUT_TESTS_MULTIHOST_CLUSTER_H_
#define FANOUT_TESTS_MULTIHOST_CLUSTER_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "proto/job_service.grpc.pb.h"
#include "tests/netns.h"
#include "tests/process.h"

namespace fanout::testing {

// How a worker's path to the coordinator is spoiled (tests/fault_proxy.cc); all zero: no proxy.
struct PathFaults {
  int delay_ms = 0, jitter_ms = 0;
  double drop = 0;          // chunks that wait a retransmission timeout
  double reset_mean_s = 0;  // mean life of a connection before a reset
  bool any() const { return delay_ms > 0 || drop > 0 || reset_mean_s > 0; }
};

// Thread-compatible. Owned by the test.
class MultiHostCluster {
 public:
  static constexpr int kPort = 7400;
  static constexpr char kName[] = "coordinator.test";

  // `name` keeps this cluster's files apart from another's in the same test.
  MultiHostCluster(HostNetwork& net, std::string name, std::vector<std::string> coordinator_flags);
  ~MultiHostCluster();

  // Starts (or restarts, on the same data) the coordinator on `host`, points coordinator.test at
  // it, and returns once it serves there.
  absl::Status StartCoordinator(const std::string& host);
  void KillCoordinator(int signal);
  absl::Status StartWorker(const std::string& host, int slots, const PathFaults& faults = {});
  // A trigger serving `config` (a JSON text) on its host's port 7071.
  absl::Status StartTrigger(const std::string& host, const std::string& config);
  std::string trigger_url() const { return trigger_url_; }

  const std::string& history_dir() const { return history_dir_; }
  const std::string& trace_dir() const { return trace_dir_; }
  std::string WorkerLog(const std::string& host) const;
  v1::JobService::Stub& jobs() { return *jobs_; }

  absl::StatusOr<v1::Job> Submit(const v1::JobSpec& spec);
  // Polls until the job ends, through faults and restarts.
  absl::StatusOr<v1::Job> WaitForJob(const std::string& job_id, absl::Duration timeout);

 private:
  absl::StatusOr<std::string> MintToken(const std::string& role);

  HostNetwork& net_;
  std::string name_, data_dir_, logs_, history_dir_, trace_dir_;
  std::vector<std::string> coordinator_flags_;
  std::string admin_;
  std::map<std::string, std::string> token_files_;  // by role
  int coordinator_starts_ = 0;
  std::unique_ptr<Process> coordinator_;
  std::vector<std::unique_ptr<Process>> workers_, proxies_;
  std::unique_ptr<Process> trigger_;
  std::string trigger_url_;
  std::unique_ptr<v1::JobService::Stub> jobs_;
};

}  // namespace fanout::testing

#endif  // FANOUT_TESTS_MULTIHOST_CLUSTER_H_
