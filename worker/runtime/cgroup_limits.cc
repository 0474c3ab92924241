#include "worker/runtime/cgroup_limits.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace fanout::worker {
namespace {

constexpr char kRoot[] = "/sys/fs/cgroup";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

bool WriteFile(const std::string& path, const std::string& value) {
  std::ofstream out(path);
  out << value;
  out.flush();
  return out.good();
}

// The worker's own group for `controller` ("" for v2), from /proc/self/cgroup.
std::string OwnGroup(const std::string& controller) {
  for (absl::string_view line : absl::StrSplit(ReadFile("/proc/self/cgroup"), '\n')) {
    std::vector<absl::string_view> parts = absl::StrSplit(line, absl::MaxSplits(':', 2));
    if (parts.size() != 3) continue;
    for (absl::string_view c : absl::StrSplit(parts[1], ',')) {
      if (c == controller) return std::string(parts[2]);
    }
  }
  return "";
}

bool Writable(const std::string& dir) { return ::access(dir.c_str(), W_OK) == 0; }

// Makes `dir`; true when it exists now.
bool MakeGroup(const std::string& dir) {
  return ::mkdir(dir.c_str(), 0755) == 0 || errno == EEXIST;
}

// "oom_kill N" in memory.oom_control (v1) or memory.events (v2).
uint64_t OomKills(const std::string& file) {
  for (absl::string_view line : absl::StrSplit(ReadFile(file), '\n')) {
    std::vector<absl::string_view> kv = absl::StrSplit(line, ' ');
    uint64_t n = 0;
    if (kv.size() == 2 && kv[0] == "oom_kill" && absl::SimpleAtoi(kv[1], &n)) return n;
  }
  return 0;
}

}  // namespace

absl::StatusOr<std::unique_ptr<CgroupLimits>> CgroupLimits::Create(const std::string& name,
                                                                   uint32_t memory_mb) {
  std::unique_ptr<CgroupLimits> limits(new CgroupLimits());
  const uint64_t bytes = uint64_t{memory_mb} << 20;
  const std::string v2_parent = absl::StrCat(kRoot, OwnGroup(""));
  if (ReadFile(v2_parent + "/cgroup.controllers").find("memory") != std::string::npos &&
      ReadFile(v2_parent + "/cgroup.subtree_control").find("memory") != std::string::npos &&
      Writable(v2_parent)) {
    const std::string dir = absl::StrCat(v2_parent, "/", name);
    if (!MakeGroup(dir)) return absl::UnavailableError(absl::StrCat("mkdir ", dir));
    limits->v2_ = true;
    limits->dirs_.push_back(dir);
    limits->procs_.push_back(dir + "/cgroup.procs");
    if (!WriteFile(dir + "/memory.max", std::to_string(bytes))) {
      return absl::UnavailableError(absl::StrCat("cannot set ", dir, "/memory.max"));
    }
    WriteFile(dir + "/memory.swap.max", "0");
    WriteFile(dir + "/cpu.weight", std::to_string(std::max<uint64_t>(1, memory_mb * 100 / 1769)));
    WriteFile(dir + "/pids.max", std::to_string(kMaxProcesses));
    return limits;
  }
  // v1: one group per controller; memory is required, cpu and pids are taken where writable.
  for (const char* controller : {"memory", "cpu", "pids"}) {
    const std::string parent = absl::StrCat(kRoot, "/", controller, OwnGroup(controller));
    if (!Writable(parent)) {
      if (std::string(controller) == "memory") {
        return absl::UnavailableError(
            absl::StrCat("no writable cgroup memory controller (", parent, ")"));
      }
      continue;
    }
    const std::string dir = absl::StrCat(parent, "/", name);
    if (!MakeGroup(dir)) return absl::UnavailableError(absl::StrCat("mkdir ", dir));
    limits->dirs_.push_back(dir);
    limits->procs_.push_back(dir + "/cgroup.procs");
    const std::string c = controller;
    if (c == "memory") {
      if (!WriteFile(dir + "/memory.limit_in_bytes", std::to_string(bytes))) {
        return absl::UnavailableError(absl::StrCat("cannot set ", dir, "/memory.limit_in_bytes"));
      }
      // Swap would let a function go over its memory slowly instead of failing: none.
      WriteFile(dir + "/memory.memsw.limit_in_bytes", std::to_string(bytes));
    } else if (c == "cpu") {
      WriteFile(dir + "/cpu.shares",
                std::to_string(std::max<uint64_t>(2, memory_mb * 1024 / 1769)));
    } else {
      WriteFile(dir + "/pids.max", std::to_string(kMaxProcesses));
    }
  }
  return limits;
}

CgroupLimits::~CgroupLimits() {
  // A group can be removed only once empty; a killed process leaves it within moments.
  for (int attempt = 0; attempt < 100; ++attempt) {
    KillAll();
    bool all = true;
    for (const std::string& dir : dirs_) {
      if (::rmdir(dir.c_str()) != 0 && errno != ENOENT) all = false;
    }
    if (all) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

namespace {

// The worker pid in a group name fanout-PID-N or fanout-exec-PID-N; 0 when not ours.
int OwnerOf(absl::string_view name) {
  if (!absl::ConsumePrefix(&name, "fanout-")) return 0;
  absl::ConsumePrefix(&name, "exec-");
  int pid = 0;
  return absl::SimpleAtoi(name.substr(0, name.find('-')), &pid) ? pid : 0;
}

}  // namespace

int CgroupLimits::SweepOrphans() {
  int swept = 0;
  for (const char* controller : {"", "memory", "cpu", "pids"}) {
    const std::string parent = *controller == '\0'
                                   ? absl::StrCat(kRoot, OwnGroup(""))
                                   : absl::StrCat(kRoot, "/", controller, OwnGroup(controller));
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(parent, error)) {
      const int owner = OwnerOf(entry.path().filename().string());
      if (owner <= 0 || !entry.is_directory(error) || ::kill(owner, 0) == 0 || errno == EPERM) {
        continue;
      }
      CgroupLimits stale;  // its destructor kills what is inside and removes the group
      stale.dirs_.push_back(entry.path().string());
      stale.procs_.push_back(entry.path().string() + "/cgroup.procs");
      ++swept;
    }
  }
  return swept;
}

bool CgroupLimits::OomKilled() const {
  if (dirs_.empty()) return false;
  return OomKills(dirs_[0] + (v2_ ? "/memory.events" : "/memory.oom_control")) > 0;
}

void CgroupLimits::KillAll() const {
  if (v2_ && !dirs_.empty() && WriteFile(dirs_[0] + "/cgroup.kill", "1")) return;
  for (const std::string& procs : procs_) {
    for (absl::string_view line : absl::StrSplit(ReadFile(procs), '\n')) {
      int pid = 0;
      if (absl::SimpleAtoi(line, &pid) && pid > 0) ::kill(pid, SIGKILL);
    }
  }
}

}  // namespace fanout::worker
