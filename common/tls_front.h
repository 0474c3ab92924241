// TLS in front of a plain HTTP server on loopback: accepts TLS connections (OpenSSL, TLS 1.2 and
// later) on the public address and relays each, byte for byte, to the backend port. Debian 12's
// civetweb cannot serve TLS itself (its SSL functions are looked up at run time under OpenSSL 1.1
// names and one is missing from OpenSSL 3: the first TLS connection jumps to address 0), so the
// dashboard, /metrics and the webhook get their HTTPS here.
#ifndef FANOUT_COMMON_TLS_FRONT_H_
#define FANOUT_COMMON_TLS_FRONT_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

typedef struct ssl_ctx_st SSL_CTX;

namespace fanout {

// Thread-safe. Destroying it stops accepting and waits until every relay has ended.
class TlsFront {
 public:
  // `listen` HOST:PORT (port 0 picks one); `flag` names it in errors.
  static absl::StatusOr<std::unique_ptr<TlsFront>> Start(const std::string& listen,
                                                         const std::string& flag, int backend_port,
                                                         const std::string& cert_file,
                                                         const std::string& key_file);
  ~TlsFront();

  int port() const { return port_; }

 private:
  TlsFront() = default;
  void AcceptLoop();
  void Relay(int client);  // one connection, on its own thread

  SSL_CTX* ctx_ = nullptr;
  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};  // written once at shutdown: wakes every poll
  int port_ = 0;
  int backend_port_ = 0;
  std::thread acceptor_;
  absl::Mutex mu_;
  int relays_ ABSL_GUARDED_BY(mu_) = 0;                    // running (detached) relay threads
  absl::flat_hash_set<int> clients_ ABSL_GUARDED_BY(mu_);  // their sockets
};

}  // namespace fanout

#endif  // FANOUT_COMMON_TLS_FRONT_H_
