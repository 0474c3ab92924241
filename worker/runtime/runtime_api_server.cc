#include "worker/runtime/runtime_api_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "glog/logging.h"
#include "worker/runtime/peer_process.h"

namespace fanout::worker {
namespace {

bool SendAll(int fd, absl::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

WireResponse Refused(int status, const absl::Status& why) {
  WireResponse response;
  response.status = status;
  response.body =
      absl::StrCat(R"({"errorType":"InvalidRequest","errorMessage":")",
                   why.code() == absl::StatusCode::kResourceExhausted ? "request body too large"
                                                                      : "malformed request",
                   "\"}");
  return response;
}

}  // namespace

absl::StatusOr<std::unique_ptr<RuntimeApiServer>> RuntimeApiServer::Start(Handler handler,
                                                                          Refusal refusal,
                                                                          size_t max_body,
                                                                          bool owner_only) {
  std::unique_ptr<RuntimeApiServer> server(
      new RuntimeApiServer(std::move(handler), std::move(refusal), max_body));
  server->restricted_ = owner_only;  // before the acceptor runs: no connection goes unjudged
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::UnavailableError(absl::StrCat("socket: ", std::strerror(errno)));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t size = sizeof(address);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::listen(fd, 16) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    const std::string why = std::strerror(errno);
    ::close(fd);
    return absl::UnavailableError(absl::StrCat("runtime API listener: ", why));
  }
  server->listen_fd_ = fd;
  server->port_ = ntohs(address.sin_port);
  server->acceptor_ = std::thread([s = server.get()] { s->AcceptLoop(); });
  return server;
}

RuntimeApiServer::~RuntimeApiServer() {
  Shutdown();
  if (acceptor_.joinable()) acceptor_.join();
  std::vector<std::pair<int, std::thread>> threads;
  {
    absl::MutexLock lock(&mu_);
    threads.swap(threads_);
  }
  for (auto& [fd, thread] : threads) thread.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

void RuntimeApiServer::Shutdown() {
  absl::MutexLock lock(&mu_);
  if (closed_) return;
  closed_ = true;
  ::shutdown(listen_fd_, SHUT_RDWR);  // wakes accept()
  for (int fd : connections_) ::shutdown(fd, SHUT_RDWR);
}

void RuntimeApiServer::AcceptLoop() {
  while (true) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    // Judged before it takes a slot: strangers must not crowd out the runtime's own connections.
    if (fd >= 0 && !Admitted(fd)) {
      ::close(fd);
      continue;
    }
    absl::MutexLock lock(&mu_);
    if (closed_) {
      if (fd >= 0) ::close(fd);
      return;
    }
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE) {
        mu_.AwaitWithTimeout(absl::Condition(&closed_), absl::Milliseconds(10));  // no spin
        continue;
      }
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return;
    }
    ReapEnded();
    // A runtime needs one or two connections; more is a runtime misbehaving, and each would hold
    // a thread and up to a body of memory in the worker.
    if (connections_.size() >= kMaxConnections) {
      ::close(fd);
      continue;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));  // replies are small and awaited
    connections_.push_back(fd);
    try {
      threads_.emplace_back(fd, std::thread([this, fd] { Serve(fd); }));
    } catch (const std::system_error&) {  // out of threads: refuse this connection, not the worker
      connections_.pop_back();
      ::close(fd);
    }
  }
}

void RuntimeApiServer::ReapEnded() {
  for (auto it = threads_.begin(); it != threads_.end();) {
    // A thread whose fd left connections_ has nothing left to do but return.
    if (std::find(connections_.begin(), connections_.end(), it->first) == connections_.end()) {
      it->second.join();
      it = threads_.erase(it);
    } else {
      ++it;
    }
  }
}

void RuntimeApiServer::RestrictTo(pid_t root) {
  absl::MutexLock lock(&mu_);
  restricted_ = true;
  owner_ = root;
}

bool RuntimeApiServer::Admitted(int fd) {
  pid_t owner = 0;
  {
    absl::MutexLock lock(&mu_);
    if (!restricted_) return true;
    // The runtime may connect before its starter has named it: wait for the name.
    mu_.AwaitWithTimeout(absl::Condition(this, &RuntimeApiServer::OwnerNamedOrClosed),
                         absl::Seconds(5));
    owner = owner_;
  }
  if (owner != 0 && ConnectedFromProcessTree(fd, owner)) return true;
  ++refused_peers_;
  LOG_EVERY_N(WARNING, 20) << "runtime API on port " << port_
                           << ": refused a connection from a process that is not its runtime's";
  return false;
}

void RuntimeApiServer::Serve(int fd) {
  WireReader reader(
      [fd](char* buf, size_t n) -> long {
        while (true) {
          const ssize_t got = ::recv(fd, buf, n, 0);
          if (got < 0 && errno == EINTR) continue;
          return static_cast<long>(got);
        }
      },
      max_body_);
  const auto send_continue = [fd] { SendAll(fd, "HTTP/1.1 100 Continue\r\n\r\n"); };
  while (true) {
    absl::StatusOr<WireRequest> request = reader.Read(send_continue);
    if (!request.ok()) {
      const absl::StatusCode code = request.status().code();
      if (code == absl::StatusCode::kInvalidArgument ||
          code == absl::StatusCode::kResourceExhausted) {
        if (refusal_) refusal_(request.status());
        SendAll(fd,
                SerializeResponse(Refused(code == absl::StatusCode::kInvalidArgument ? 400 : 413,
                                          request.status()),
                                  /*keep_alive=*/false));
      }
      break;
    }
    const WireResponse response = handler_(*request);
    if (!SendAll(fd, SerializeResponse(response, request->keep_alive)) || !request->keep_alive) {
      break;
    }
  }
  absl::MutexLock lock(&mu_);
  connections_.erase(std::find(connections_.begin(), connections_.end(), fd));
  ::close(fd);
}

}  // namespace fanout::worker
