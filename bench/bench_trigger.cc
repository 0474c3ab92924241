#include "bench/bench_trigger.h"

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace fanout::bench {

absl::StatusOr<BenchTrigger> StartTrigger(BenchCluster& cluster, const std::string& bin,
                                          const std::string& config,
                                          std::vector<std::string> flags) {
  const std::string config_file = cluster.dir() + "/trigger.json";
  std::ofstream(config_file) << config;
  const std::string port_file = cluster.dir() + "/trigger-port";
  std::filesystem::remove(port_file);
  flags.insert(flags.end(), {"--config=" + config_file, "--coordinator=" + cluster.address(),
                             "--http_listen=127.0.0.1:0", "--port_file=" + port_file});
  const std::string log = cluster.dir() + "/trigger.log";
  auto trigger = testing::Process::Spawn(bin + "/fanout-trigger", flags, log);
  if (!trigger.ok()) return trigger.status();
  absl::StatusOr<int> port =
      testing::AwaitPortFile(**trigger, port_file, "fanout-trigger (see " + log + ")");
  if (!port.ok()) return port.status();
  return BenchTrigger{*std::move(trigger), absl::StrCat("http://127.0.0.1:", *port, "/")};
}

std::string S3EventBody(const std::vector<std::string>& keys) {
  nlohmann::json records = nlohmann::json::array();
  for (const std::string& key : keys) {
    records.push_back({{"eventSource", "ceph:s3"},
                       {"eventName", "ObjectCreated:Put"},
                       {"s3",
                        {{"bucket", {{"name", "bench"}}},
                         {"object", {{"key", key}, {"size", 1}, {"eTag", "e"}}}}}});
  }
  return nlohmann::json{{"Records", records}}.dump();
}

}  // namespace fanout::bench
