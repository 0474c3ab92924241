#include "common/tls_front.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace fanout {
namespace {

constexpr int kHandshakeSeconds = 10;
constexpr int kMaxConnections = 256;
constexpr int kIdleSeconds = 60;

std::string SslError() {
  char text[256];
  ERR_error_string_n(ERR_get_error(), text, sizeof(text));
  return text;
}

// HOST:PORT into an IPv4 or IPv6 address; INVALID_ARGUMENT naming `flag`.
absl::StatusOr<sockaddr_storage> Resolve(const std::string& listen, const std::string& flag,
                                         socklen_t* length) {
  const size_t colon = listen.rfind(':');
  int port = -1;
  std::string host = colon == std::string::npos ? "" : listen.substr(0, colon);
  if (colon == std::string::npos || !absl::SimpleAtoi(listen.substr(colon + 1), &port) ||
      port < 0 || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("--", flag, ": expected HOST:PORT"));
  }
  if (host.size() >= 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  if (host.empty() || host == "0.0.0.0") host = "0.0.0.0";
  sockaddr_storage out{};
  auto* v4 = reinterpret_cast<sockaddr_in*>(&out);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&out);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    *length = sizeof(*v4);
  } else if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    *length = sizeof(*v6);
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": '", host, "' is not an IP address to listen on"));
  }
  return out;
}

// Everything of `n` bytes to a plain socket; false once it is gone.
bool WriteAll(int fd, const char* data, int n) {
  while (n > 0) {
    const ssize_t w = ::send(fd, data, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    data += w;
    n -= static_cast<int>(w);
  }
  return true;
}

}  // namespace

absl::StatusOr<std::unique_ptr<TlsFront>> TlsFront::Start(const std::string& listen,
                                                          const std::string& flag, int backend_port,
                                                          const std::string& cert_file,
                                                          const std::string& key_file) {
  std::unique_ptr<TlsFront> front(new TlsFront());
  front->backend_port_ = backend_port;
  front->ctx_ = SSL_CTX_new(TLS_server_method());
  if (front->ctx_ == nullptr) return absl::InternalError("TLS: " + SslError());
  SSL_CTX_set_min_proto_version(front->ctx_, TLS1_2_VERSION);
  if (SSL_CTX_use_certificate_chain_file(front->ctx_, cert_file.c_str()) != 1) {
    return absl::InvalidArgumentError(absl::StrCat("--tls_cert: ", cert_file, ": ", SslError()));
  }
  if (SSL_CTX_use_PrivateKey_file(front->ctx_, key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(front->ctx_) != 1) {
    return absl::InvalidArgumentError(absl::StrCat("--tls_key: ", key_file, ": ", SslError()));
  }
  socklen_t length = 0;
  absl::StatusOr<sockaddr_storage> address = Resolve(listen, flag, &length);
  if (!address.ok()) return address.status();
  front->listen_fd_ = ::socket(address->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  ::setsockopt(front->listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (front->listen_fd_ < 0 ||
      ::bind(front->listen_fd_, reinterpret_cast<sockaddr*>(&*address), length) != 0 ||
      ::listen(front->listen_fd_, 128) != 0 || ::pipe2(front->wake_, O_CLOEXEC) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("--", flag, ": cannot listen on ", listen, ": ", std::strerror(errno),
                     " (the port is in use, or the address is not this host's)"));
  }
  sockaddr_storage bound{};
  socklen_t bound_length = sizeof(bound);
  ::getsockname(front->listen_fd_, reinterpret_cast<sockaddr*>(&bound), &bound_length);
  front->port_ =
      ntohs(bound.ss_family == AF_INET ? reinterpret_cast<sockaddr_in*>(&bound)->sin_port
                                       : reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port);
  front->acceptor_ = std::thread([f = front.get()] { f->AcceptLoop(); });
  return front;
}

TlsFront::~TlsFront() {
  if (wake_[1] >= 0) (void)!::write(wake_[1], "x", 1);
  if (acceptor_.joinable()) acceptor_.join();
  {
    absl::MutexLock lock(&mu_);
    // Relays blocked in OpenSSL's read or write return at once.
    for (int client : clients_) ::shutdown(client, SHUT_RDWR);
    mu_.Await(absl::Condition(
        +[](int* relays) { return *relays == 0; }, &relays_));
  }
  for (int fd : {listen_fd_, wake_[0], wake_[1]}) {
    if (fd >= 0) ::close(fd);
  }
  if (ctx_ != nullptr) SSL_CTX_free(ctx_);
}

void TlsFront::AcceptLoop() {
  while (true) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0 && errno != EINTR) return;
    if (fds[1].revents != 0) return;
    if ((fds[0].revents & POLLIN) == 0) continue;
    const int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) {
      // Out of descriptors: the listener stays readable; wait rather than spin.
      if (errno == EMFILE || errno == ENFILE) ::poll(nullptr, 0, 10);
      continue;
    }
    absl::MutexLock lock(&mu_);
    if (relays_ >= kMaxConnections) {
      ::close(client);  // as a full server would: the client retries
      continue;
    }
    ++relays_;
    clients_.insert(client);
    try {
      std::thread([this, client] {
        Relay(client);
        absl::MutexLock done(&mu_);
        clients_.erase(client);
        ::close(client);
        --relays_;
      }).detach();
    } catch (const std::system_error&) {  // out of threads: refuse this one, not the process
      clients_.erase(client);
      ::close(client);
      --relays_;
    }
  }
}

void TlsFront::Relay(int client) {
  // A client that never finishes its handshake must not hold a thread for ever.
  timeval limit{kHandshakeSeconds, 0};
  ::setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit));
  SSL* ssl = SSL_new(ctx_);
  SSL_set_fd(ssl, client);
  int backend = -1;
  if (SSL_accept(ssl) == 1) {
    // A client that stops mid-record or stops reading blocks OpenSSL's read or write: for at most
    // this long.
    timeval idle{kIdleSeconds, 0};
    ::setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &idle, sizeof(idle));
    ::setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &idle, sizeof(idle));
    backend = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(backend_port_);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const int one = 1;
    ::setsockopt(backend, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (::connect(backend, reinterpret_cast<sockaddr*>(&to), sizeof(to)) != 0) {
      ::close(backend);
      backend = -1;
    }
  }
  char buffer[16384];
  while (backend >= 0) {
    pollfd fds[3] = {{client, POLLIN, 0}, {backend, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    // Bytes OpenSSL already decrypted are not on the socket: read them before polling.
    // An idle connection ends (as civetweb's own keep-alive would): it must not hold a slot.
    if (SSL_pending(ssl) == 0) {
      const int ready = ::poll(fds, 3, kIdleSeconds * 1000);
      if (ready == 0 || (ready < 0 && errno != EINTR)) break;
    }
    if (fds[2].revents != 0) break;
    if (SSL_pending(ssl) > 0 || (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      const int n = SSL_read(ssl, buffer, sizeof(buffer));
      if (n <= 0 || !WriteAll(backend, buffer, n)) break;
    }
    if ((fds[1].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      const ssize_t n = ::recv(backend, buffer, sizeof(buffer), 0);
      if (n <= 0 || SSL_write(ssl, buffer, static_cast<int>(n)) <= 0) break;
    }
  }
  if (backend >= 0) ::close(backend);
  SSL_shutdown(ssl);
  SSL_free(ssl);
}

}  // namespace fanout
