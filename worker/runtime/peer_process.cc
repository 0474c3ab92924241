#include "worker/runtime/peer_process.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"

namespace fanout::worker {
namespace {

// /proc/net/tcp writes an IPv4 endpoint as the address's 32 bits in host order, in hex, ":" and
// the port in hex.
std::string Endpoint(const sockaddr_in& a) {
  return absl::StrFormat("%08X:%04X", a.sin_addr.s_addr, ntohs(a.sin_port));
}

// A /proc file whole, with read(2): a process can end while its files are read (ESRCH), which
// must read as "gone" (empty), never as an exception from a stream.
std::string ReadProc(const std::string& path) {
  std::string out;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return out;
  char buf[16384];
  for (ssize_t n; (n = ::read(fd, buf, sizeof(buf))) > 0;) out.append(buf, n);
  ::close(fd);
  return out;
}

// The inode of the socket whose local end is `local` and remote end `remote`; 0 when none.
unsigned long SocketInode(const std::string& local, const std::string& remote) {
  std::istringstream table(ReadProc("/proc/net/tcp"));
  std::string line;
  std::getline(table, line);  // the header
  while (std::getline(table, line)) {
    std::istringstream fields(line);
    std::string slot, l, r, state, queues, timer, retransmits, uid, timeout;
    unsigned long inode = 0;
    fields >> slot >> l >> r >> state >> queues >> timer >> retransmits >> uid >> timeout >> inode;
    if (l == local && r == remote) return inode;
  }
  return 0;
}

std::vector<pid_t> Pids() {
  std::vector<pid_t> out;
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return out;
  while (dirent* entry = readdir(proc)) {
    int pid = 0;
    if (absl::SimpleAtoi(entry->d_name, &pid)) out.push_back(pid);
  }
  closedir(proc);
  return out;
}

pid_t ParentOf(pid_t pid) {
  const std::string stat = ReadProc("/proc/" + std::to_string(pid) + "/stat");
  const size_t paren = stat.rfind(')');  // the command may hold spaces and parentheses
  if (paren == std::string::npos) return 0;
  std::istringstream rest(stat.substr(paren + 1));
  std::string state;
  pid_t parent = 0;
  rest >> state >> parent;
  return parent;
}

// `root` and every process below it.
absl::flat_hash_set<pid_t> Tree(pid_t root) {
  absl::flat_hash_map<pid_t, std::vector<pid_t>> children;
  for (pid_t pid : Pids()) children[ParentOf(pid)].push_back(pid);
  absl::flat_hash_set<pid_t> tree = {root};
  std::vector<pid_t> todo = {root};
  while (!todo.empty()) {
    const pid_t pid = todo.back();
    todo.pop_back();
    for (pid_t child : children[pid]) {
      if (tree.insert(child).second) todo.push_back(child);
    }
  }
  return tree;
}

bool Holds(pid_t pid, const std::string& socket) {
  const std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  DIR* fds = opendir(dir.c_str());
  if (fds == nullptr) return false;
  bool found = false;
  char target[64];
  while (dirent* entry = readdir(fds)) {
    const std::string path = dir + "/" + entry->d_name;
    const ssize_t n = readlink(path.c_str(), target, sizeof(target) - 1);
    if (n > 0 && std::string(target, n) == socket) {
      found = true;
      break;
    }
  }
  closedir(fds);
  return found;
}

}  // namespace

bool ConnectedFromProcessTree(int fd, pid_t root) {
  sockaddr_in peer{}, self{};
  socklen_t peer_size = sizeof(peer), self_size = sizeof(self);
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_size) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&self), &self_size) != 0 ||
      peer.sin_family != AF_INET) {
    return false;
  }
  // The client's socket: local end the peer's address, remote end ours.
  const unsigned long inode = SocketInode(Endpoint(peer), Endpoint(self));
  if (inode == 0) return false;
  const std::string socket = "socket:[" + std::to_string(inode) + "]";
  for (pid_t pid : Tree(root)) {
    if (Holds(pid, socket)) return true;
  }
  return false;
}

}  // namespace fanout::worker
