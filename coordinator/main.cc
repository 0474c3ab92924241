// fanout-coordinator: flags and wiring only; see coordinator_server.h.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "common/clock.h"
#include "common/functions.h"
#include "common/limits.h"
#include "common/process_util.h"
#include "coordinator/coordinator_server.h"
#include "coordinator/power_loss_file_system.h"
#include "glog/logging.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:7070", "host:port to serve gRPC on; port 0 picks one");
ABSL_FLAG(std::string, data_dir, "", "directory of the coordinator's RocksDB (required)");
ABSL_FLAG(std::string, port_file, "", "write the bound port here once serving");
ABSL_FLAG(absl::Duration, lease_ttl, absl::Seconds(10),
          "how long a lease lasts without renewal; a dead worker's tasks return after this");
ABSL_FLAG(absl::Duration, idempotency_retention, absl::Hours(24 * 7),
          "how long after its job ended an idempotency key (a trigger event's key) keeps "
          "answering resubmissions with that job; after it, the same key makes a new job (never "
          "longer than --job_retention)");
ABSL_FLAG(absl::Duration, job_retention, absl::Hours(24 * 7),
          "how long an ended job — its record, tasks, results and spec — is kept after it ended; "
          "then it is deleted (manifests written elsewhere stay)");
ABSL_FLAG(absl::Duration, lease_grace, absl::Seconds(10),
          "after a restart, leases found on disk last at least this long (never less than "
          "--lease_ttl: renewals are not written to disk)");
ABSL_FLAG(std::vector<std::string>, function_timeout, {},
          "per-function time limit for jobs that set none: FUNCTION=DURATION[,...], e.g. "
          "builtin:count=10m (others: 300s)");
ABSL_FLAG(int, split_chunk, 4096, "sequential sources: items read per step");
ABSL_FLAG(int, split_ahead, 12288,
          "sequential sources: read on while fewer than this many of a job's tasks wait");
ABSL_FLAG(std::string, http_listen, "",
          "host:port to serve the web dashboard, its JSON API (/api/) and /metrics on (empty: "
          "none)");
ABSL_FLAG(std::string, metrics_listen, "",
          "host:port to serve Prometheus metrics on, at /metrics (empty: none; they are also on "
          "--http_listen)");
ABSL_FLAG(uint64_t, max_item_bytes, fanout::kDefaultMaxItemBytes,
          "largest item of a job's source, as JSON (default 1 MiB, AWS Lambda's asynchronous "
          "event limit): a bigger inline item is refused at submit, a bigger manifest line fails "
          "as its own task (invalid_input)");
ABSL_FLAG(uint64_t, max_result_bytes, fanout::kDefaultMaxResultBytes,
          "largest results of one task together (default 6 MiB, AWS Lambda's response limit): a "
          "task whose results are bigger fails (fatal), saying so");
ABSL_FLAG(std::vector<std::string>, file_roots, {},
          "directories that jobs' file sources (jsonl:, csv:, dir:) may read and jsonl: results "
          "may write, DIR,... (none: no local files); the data dir is never reachable");
ABSL_FLAG(std::string, auth, "",
          "required: every call needs a token (fanout token create); off: none does; default: "
          "required unless every listener is on loopback");
ABSL_FLAG(std::string, tls_cert, "", "serve gRPC over TLS with this PEM certificate (chain)");
ABSL_FLAG(std::string, tls_key, "", "the PEM private key of --tls_cert");
ABSL_FLAG(std::string, tls_client_ca, "",
          "PEM CA: worker calls need a client certificate it signed (mTLS; needs --tls_cert)");
ABSL_FLAG(bool, testing_power_loss, false,
          "testing: keep the data on a file system that remembers what was synced; on SIGUSR2, "
          "drop everything that was not, as a power cut would, and exit at once (code 137); on "
          "SIGUSR1, fail every write from then on, as a full disk would");
ABSL_FLAG(bool, sync, true,
          "sync the write-ahead log before acknowledging (off loses data on "
          "power failure; only for experiments)");

namespace {

// --testing_power_loss: the data directory on a PowerLossFileSystem, cut by SIGUSR2 and made to
// fail by SIGUSR1. The signals are blocked here, before any thread starts, and taken by a thread of
// their own.
std::unique_ptr<rocksdb::Env> PowerLossEnv() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGUSR1);
  sigaddset(&signals, SIGUSR2);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  auto fs =
      std::make_shared<fanout::coordinator::PowerLossFileSystem>(rocksdb::FileSystem::Default());
  std::thread([fs, signals] {
    for (int signal = 0; sigwait(&signals, &signal) == 0;) {
      if (signal == SIGUSR1) {
        std::cerr << "fanout-coordinator: the disk fails from now on (testing)" << std::endl;
        fs->FailFromNowOn();
        continue;
      }
      absl::Status cut = fs->PowerCut();
      std::cerr << "fanout-coordinator: power cut (testing): " << cut << std::endl;
      _exit(137);
    }
  }).detach();
  return rocksdb::NewCompositeEnv(fs);
}

absl::StatusOr<absl::flat_hash_map<std::string, absl::Duration>> FunctionTimeouts(
    const std::vector<std::string>& specs) {
  absl::flat_hash_map<std::string, absl::Duration> out;
  for (const std::string& spec : specs) {
    const size_t eq = spec.rfind('=');
    absl::Duration d;
    if (eq == std::string::npos || !absl::ParseDuration(spec.substr(eq + 1), &d) ||
        d <= absl::ZeroDuration()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--function_timeout: expected FUNCTION=DURATION (e.g. builtin:count=10m), got '", spec,
          "'"));
    }
    const std::string function = spec.substr(0, eq);
    absl::Status known = fanout::ParseFunction(function).status();
    if (!known.ok()) return absl::InvalidArgumentError(absl::StrCat("--", known.message()));
    out[function] = d;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  fanout::PrepareServerProcess();
  absl::SetProgramUsageMessage(
      "fanout-coordinator --data_dir=DIR [--listen=HOST:PORT] [--port_file=FILE]\n"
      "  [--http_listen=HOST:PORT] [--metrics_listen=HOST:PORT]\n"
      "The stateful heart of fanout: owns jobs, tasks and leases in RocksDB and serves the gRPC "
      "API.");
  absl::ParseCommandLine(argc, argv);
  google::InitGoogleLogging(argv[0]);
  FLAGS_logtostderr = true;

  std::unique_ptr<rocksdb::Env> power_loss_env;
  fanout::coordinator::CoordinatorConfig config;
  if (absl::GetFlag(FLAGS_testing_power_loss)) config.env = (power_loss_env = PowerLossEnv()).get();
  config.listen = absl::GetFlag(FLAGS_listen);
  config.data_dir = absl::GetFlag(FLAGS_data_dir);
  config.file_roots = absl::GetFlag(FLAGS_file_roots);
  config.security.auth = absl::GetFlag(FLAGS_auth);
  config.security.tls_cert = absl::GetFlag(FLAGS_tls_cert);
  config.security.tls_key = absl::GetFlag(FLAGS_tls_key);
  config.security.tls_client_ca = absl::GetFlag(FLAGS_tls_client_ca);
  config.sync = absl::GetFlag(FLAGS_sync);
  config.http_listen = absl::GetFlag(FLAGS_http_listen);
  config.metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  config.lease_grace = absl::GetFlag(FLAGS_lease_grace);
  config.manager.lease_ttl = absl::GetFlag(FLAGS_lease_ttl);
  config.manager.retention.idempotency = absl::GetFlag(FLAGS_idempotency_retention);
  config.manager.retention.jobs = absl::GetFlag(FLAGS_job_retention);
  config.manager.max_item_bytes = absl::GetFlag(FLAGS_max_item_bytes);
  config.manager.max_result_bytes = absl::GetFlag(FLAGS_max_result_bytes);
  auto timeouts = FunctionTimeouts(absl::GetFlag(FLAGS_function_timeout));
  if (!timeouts.ok()) {
    std::cerr << "fanout-coordinator: " << timeouts.status().message() << "\n";
    return 2;
  }
  config.manager.function_timeouts = std::move(*timeouts);
  config.split.chunk = std::max(1, absl::GetFlag(FLAGS_split_chunk));
  config.split.ahead = std::max(1, absl::GetFlag(FLAGS_split_ahead));
  auto server =
      fanout::coordinator::CoordinatorServer::Start(config, fanout::MonotonicClock::Get());
  if (!server.ok()) {
    std::cerr << "fanout-coordinator: " << server.status().message() << "\n";
    return 2;
  }
  LOG(INFO) << "serving on " << (*server)->address() << ", data in " << config.data_dir;
  if ((*server)->http_port() != 0) {
    LOG(INFO) << "dashboard on port " << (*server)->http_port()
              << " (--http_listen=" << config.http_listen << "), metrics at /metrics";
  }
  if ((*server)->metrics_port() != 0) {
    LOG(INFO) << "metrics on port " << (*server)->metrics_port() << " at /metrics";
  }
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
  fanout::ExitNow(0);
}
