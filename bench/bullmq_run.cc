#include "bench/bullmq_run.h"

#include <csignal>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "nlohmann/json.hpp"
#include "tests/free_port.h"
#include "tests/process.h"

namespace fanout::bench {

absl::StatusOr<double> RunBullMq(const BullMqSetup& setup, const std::string& scratch_dir) {
  const std::string dir = absl::StrCat(scratch_dir, "/redis-", setup.appendfsync);
  std::filesystem::create_directories(dir);
  const int port = testing::FreePortBelowEphemeral();
  auto redis = testing::Process::Spawn(
      "/usr/bin/redis-server",
      {"--bind", "127.0.0.1", "--port", std::to_string(port), "--dir", dir, "--appendonly", "yes",
       "--appendfsync", setup.appendfsync, "--save", ""},
      dir + "/redis.log");
  if (!redis.ok()) return redis.status();
  testing::CommandResult run;
  for (int attempt = 0; attempt < 50; ++attempt) {  // Redis takes a moment to listen
    run = testing::RunCommand(
        "/usr/bin/node",
        {setup.script, std::to_string(setup.tasks), std::to_string(setup.workers),
         std::to_string(setup.concurrency)},
        absl::Minutes(5), {absl::StrCat("REDIS_PORT=", port), "NODE_PATH=" + setup.node_modules});
    if (run.exit_code == 0 || run.err.find("ECONNREFUSED") == std::string::npos) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  (*redis)->Signal(SIGTERM);
  (*redis)->Wait();
  if (run.exit_code != 0) {
    return absl::InternalError(absl::StrCat("node ", setup.script, ": ", run.err));
  }
  nlohmann::json out = nlohmann::json::parse(run.out, nullptr, false);
  if (!out.is_object() || !out["tasks_per_second"].is_number()) {
    return absl::InternalError("node " + setup.script + " printed: " + run.out);
  }
  return out["tasks_per_second"].get<double>();
}

}  // namespace fanout::bench
