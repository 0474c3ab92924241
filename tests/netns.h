// Hosts for multi-host tests: each a network namespace with its own address in 198.18.0.0/24 (the
// range reserved for network tests), joined by a veth pair to a bridge in the test's own network
// namespace, which is the switch, and from which the test reaches every host (198.18.0.254).
// Nothing touches a real interface: the test first moves into fresh network and mount namespaces
// (EnterOwnNamespaces, before any thread starts), so every namespace, link and mount here dies
// with the test process, even when it is killed.
#ifndef FANOUT_TESTS_NETNS_H_
#define FANOUT_TESTS_NETNS_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tests/process.h"

namespace fanout::testing {

// "" once this process has its own network and mount namespaces; otherwise why not (not root, no
// namespaces here), for a test to skip with.
std::string EnterOwnNamespaces();

// Thread-compatible. Owned by the test.
class HostNetwork {
 public:
  static constexpr char kSwitchAddress[] = "198.18.0.254";

  // Brings up the bridge; needs EnterOwnNamespaces() first.
  static absl::StatusOr<std::unique_ptr<HostNetwork>> Create(const std::string& log_dir);

  // A new host, returning its address (198.18.0.1, .2, ...).
  absl::StatusOr<std::string> AddHost(const std::string& name);
  const std::string& address(const std::string& host) { return hosts_.at(host).address; }
  // Pulls the host's cable (its bridge port goes down: every packet from or to it is dropped,
  // no reset is sent) and plugs it back.
  absl::Status Cut(const std::string& host);
  absl::Status Heal(const std::string& host);
  // Starts `binary` on the host's network.
  absl::StatusOr<std::unique_ptr<Process>> Spawn(const std::string& host, const std::string& binary,
                                                 const std::vector<std::string>& args,
                                                 const std::string& log_path,
                                                 const std::vector<std::string>& env = {});
  // From now on `name` resolves to `address` for every process of the test (its own /etc/hosts).
  absl::Status SetName(const std::string& name, const std::string& address);

 private:
  struct Host {
    std::string address;
    std::string link;                 // the bridge's end of its veth pair
    std::unique_ptr<Process> holder;  // keeps the namespace alive
    std::string netns() const { return absl::StrCat("/proc/", holder->pid(), "/ns/net"); }
  };
  explicit HostNetwork(std::string log_dir) : log_dir_(std::move(log_dir)) {}

  std::string log_dir_;
  std::map<std::string, Host> hosts_;
  std::map<std::string, std::string> names_;  // for the hosts file
  int hosts_files_ = 0;
};

}  // namespace fanout::testing

#endif  // FANOUT_TESTS_NETNS_H_
