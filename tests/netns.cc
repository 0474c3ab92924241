#include "tests/netns.h"

#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"

namespace fanout::testing {
namespace {

constexpr char kIp[] = "/usr/sbin/ip";
constexpr char kNsenter[] = "/usr/bin/nsenter";
constexpr char kBridge[] = "fanout-br";

absl::Status Run(const std::vector<std::string>& argv) {
  CommandResult r = RunCommand(argv[0], {argv.begin() + 1, argv.end()}, absl::Seconds(20));
  if (r.exit_code == 0) return absl::OkStatus();
  return absl::InternalError(
      absl::StrCat(absl::StrJoin(argv, " "), ": exit ", r.exit_code, ": ", r.err, r.out));
}

std::string NamespaceOf(const std::string& proc_path) {
  std::error_code error;
  return std::filesystem::read_symlink(proc_path, error).string();
}

}  // namespace

std::string EnterOwnNamespaces() {
  if (geteuid() != 0) return "needs root (network namespaces, veth pairs, a bridge)";
  for (const char* tool : {kIp, kNsenter, "/usr/bin/unshare"}) {
    if (access(tool, X_OK) != 0) return absl::StrCat("needs ", tool);
  }
  if (unshare(CLONE_NEWNET | CLONE_NEWNS) != 0) {
    return absl::StrCat("cannot make namespaces: ", std::strerror(errno));
  }
  // Mounts made here (the hosts file) must not reach the machine's own mount namespace.
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    return absl::StrCat("cannot make mounts private: ", std::strerror(errno));
  }
  if (absl::Status s = Run({kIp, "link", "set", "lo", "up"}); !s.ok()) return s.ToString();
  return "";
}

absl::StatusOr<std::unique_ptr<HostNetwork>> HostNetwork::Create(const std::string& log_dir) {
  std::unique_ptr<HostNetwork> net(new HostNetwork(log_dir));
  for (const auto& step : std::vector<std::vector<std::string>>{
           {kIp, "link", "add", kBridge, "type", "bridge"},
           {kIp, "addr", "add", absl::StrCat(kSwitchAddress, "/24"), "dev", kBridge},
           {kIp, "link", "set", kBridge, "up"}}) {
    if (absl::Status s = Run(step); !s.ok()) return s;
  }
  return net;
}

absl::StatusOr<std::string> HostNetwork::AddHost(const std::string& name) {
  Host host;
  host.address = absl::StrCat("198.18.0.", hosts_.size() + 1);
  host.link = absl::StrCat("h", hosts_.size() + 1);
  absl::StatusOr<std::unique_ptr<Process>> holder =
      Process::Spawn("/usr/bin/unshare", {"--net", "--", "/bin/sleep", "infinity"},
                     absl::StrCat(log_dir_, "/netns-", name, ".log"));
  if (!holder.ok()) return holder.status();
  host.holder = std::move(*holder);
  const std::string own = NamespaceOf("/proc/self/ns/net");
  for (int i = 0; i < 200 && NamespaceOf(host.netns()) == own; ++i) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  if (NamespaceOf(host.netns()) == own) return absl::InternalError("unshare --net did not");
  const std::string pid = absl::StrCat(host.holder->pid());
  const std::string in_ns = "--net=" + host.netns();
  for (const auto& step : std::vector<std::vector<std::string>>{
           {kIp, "link", "add", host.link, "type", "veth", "peer", "name", "eth0", "netns", pid},
           {kIp, "link", "set", host.link, "master", kBridge, "up"},
           {kNsenter, in_ns, kIp, "addr", "add", host.address + "/24", "dev", "eth0"},
           {kNsenter, in_ns, kIp, "link", "set", "eth0", "up"},
           {kNsenter, in_ns, kIp, "link", "set", "lo", "up"}}) {
    if (absl::Status s = Run(step); !s.ok()) return s;
  }
  const std::string address = host.address;
  hosts_[name] = std::move(host);
  return address;
}

absl::Status HostNetwork::Cut(const std::string& host) {
  return Run({kIp, "link", "set", hosts_.at(host).link, "down"});
}

absl::Status HostNetwork::Heal(const std::string& host) {
  return Run({kIp, "link", "set", hosts_.at(host).link, "up"});
}

absl::StatusOr<std::unique_ptr<Process>> HostNetwork::Spawn(const std::string& host,
                                                            const std::string& binary,
                                                            const std::vector<std::string>& args,
                                                            const std::string& log_path,
                                                            const std::vector<std::string>& env) {
  std::vector<std::string> argv = {"--net=" + hosts_.at(host).netns(), "--", binary};
  argv.insert(argv.end(), args.begin(), args.end());
  return Process::Spawn(kNsenter, argv, log_path, env);
}

absl::Status HostNetwork::SetName(const std::string& name, const std::string& address) {
  names_[name] = address;
  // A new file mounted over the last one: a resolver reading /etc/hosts sees the old or the new
  // file whole, never one being written.
  const std::string file = absl::StrCat(log_dir_, "/hosts.", ++hosts_files_);
  {
    std::ofstream out(file);
    out << "127.0.0.1 localhost\n";
    for (const auto& [n, a] : names_) out << a << " " << n << "\n";
    if (!out.good()) return absl::InternalError("cannot write " + file);
  }
  if (mount(file.c_str(), "/etc/hosts", nullptr, MS_BIND, nullptr) != 0) {
    return absl::InternalError(
        absl::StrCat("bind-mounting a hosts file over /etc/hosts: ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

}  // namespace fanout::testing
