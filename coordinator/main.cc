// fanout-coordinator: flags and wiring only; see coordinator_server.h.
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "common/clock.h"
#include "common/process_util.h"
#include "coordinator/coordinator_server.h"
#include "glog/logging.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:7070", "host:port to serve gRPC on; port 0 picks one");
ABSL_FLAG(std::string, data_dir, "", "directory of the coordinator's RocksDB (required)");
ABSL_FLAG(std::string, port_file, "", "write the bound port here once serving");
ABSL_FLAG(absl::Duration, lease_ttl, absl::Seconds(10),
          "how long a lease lasts without renewal; a dead worker's tasks return after this");
ABSL_FLAG(absl::Duration, lease_grace, absl::Seconds(10),
          "after a restart, leases found on disk last at least this long");
ABSL_FLAG(bool, sync, true,
          "sync the write-ahead log before acknowledging (off loses data on "
          "power failure; only for experiments)");

int main(int argc, char** argv) {
  fanout::BlockTerminationSignals();
  fanout::TuneMallocForThroughput();
  absl::SetProgramUsageMessage(
      "fanout-coordinator --data_dir=DIR [--listen=HOST:PORT] [--port_file=FILE]\n"
      "The stateful heart of fanout: owns jobs, tasks and leases in RocksDB and serves the gRPC "
      "API.");
  absl::ParseCommandLine(argc, argv);
  google::InitGoogleLogging(argv[0]);
  FLAGS_logtostderr = true;

  fanout::coordinator::CoordinatorConfig config;
  config.listen = absl::GetFlag(FLAGS_listen);
  config.data_dir = absl::GetFlag(FLAGS_data_dir);
  config.sync = absl::GetFlag(FLAGS_sync);
  config.lease_grace = absl::GetFlag(FLAGS_lease_grace);
  config.manager.lease_ttl = absl::GetFlag(FLAGS_lease_ttl);
  auto server = fanout::coordinator::CoordinatorServer::Start(config, fanout::RealClock::Get());
  if (!server.ok()) {
    std::cerr << "fanout-coordinator: " << server.status().message() << "\n";
    return 2;
  }
  LOG(INFO) << "serving on " << (*server)->address() << ", data in " << config.data_dir;
  if (!absl::GetFlag(FLAGS_port_file).empty()) {
    absl::Status written = fanout::WritePortFile(absl::GetFlag(FLAGS_port_file), (*server)->port());
    if (!written.ok()) {
      std::cerr << "fanout-coordinator: " << written.message() << "\n";
      return 2;
    }
  }
  const int signal = fanout::WaitForTerminationSignal([&] { return !(*server)->health().ok(); });
  if (signal == 0) {
    LOG(ERROR) << (*server)->health().message()
               << "; exiting so that a restart reloads the state from disk";
    (*server)->Shutdown();
    return 3;
  }
  LOG(INFO) << "signal " << signal << ": draining";
  (*server)->Shutdown();
  LOG(INFO) << "stopped";
  return 0;
}
