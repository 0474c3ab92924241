// A loopback HTTP listener for one runtime process: the address in its AWS_LAMBDA_RUNTIME_API.
// Each runtime gets its own listener, so every request on it belongs to that runtime (as each
// Lambda sandbox has its own endpoint). Loopback TCP is open to every local process: a sandboxed
// runtime's listener serves only connections its own processes made (RestrictTo), so another
// function cannot take or answer its invocations.
// A thread per connection: a runtime keeps one or two connections, and `invocation/next` blocks.
#ifndef FANOUT_WORKER_RUNTIME_RUNTIME_API_SERVER_H_
#define FANOUT_WORKER_RUNTIME_RUNTIME_API_SERVER_H_

#include <sys/types.h>

#include <atomic>
#include <functional>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "worker/runtime/http_wire.h"

namespace fanout::worker {

// Thread-safe. Owned by the runtime it serves; destroying it closes every connection and joins
// their threads (the handler must not block forever: it is woken by its owner first).
class RuntimeApiServer {
 public:
  static constexpr size_t kMaxConnections = 16;
  using Handler = std::function<WireResponse(const WireRequest&)>;
  // Called with what could not be read (e.g. a response over `max_body`), before 4xx and close.
  using Refusal = std::function<void(const absl::Status&)>;

  // `owner_only`: every connection is judged (see RestrictTo).
  static absl::StatusOr<std::unique_ptr<RuntimeApiServer>> Start(Handler handler, Refusal refusal,
                                                                 size_t max_body,
                                                                 bool owner_only = false);
  ~RuntimeApiServer();

  int port() const { return port_; }
  // With `owner_only`, a connection is served only if a process of the tree under `root` made it
  // (see peer_process.h); until this is called, connections wait (up to 5 s) to be judged. Others
  // are closed unread and counted in refused_peers().
  void RestrictTo(pid_t root);
  uint64_t refused_peers() const { return refused_peers_.load(); }
  // Closes the listener and every connection (requests in progress get no answer).
  void Shutdown();

 private:
  RuntimeApiServer(Handler handler, Refusal refusal, size_t max_body)
      : handler_(std::move(handler)), refusal_(std::move(refusal)), max_body_(max_body) {}
  void AcceptLoop();
  void Serve(int fd);
  void ReapEnded() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool Admitted(int fd);
  bool OwnerNamedOrClosed() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return owner_ != 0 || closed_;
  }

  // Constant after construction
  const Handler handler_;
  const Refusal refusal_;
  const size_t max_body_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::thread acceptor_;

  mutable absl::Mutex mu_;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  bool restricted_ ABSL_GUARDED_BY(mu_) = false;
  pid_t owner_ ABSL_GUARDED_BY(mu_) = 0;
  std::atomic<uint64_t> refused_peers_{0};
  std::vector<int> connections_ ABSL_GUARDED_BY(mu_);
  // Connection threads; ended ones (their fd no longer in connections_) are joined at the next
  // accept, so a client that opens a connection per request (curl in a bash loop) leaves none.
  std::vector<std::pair<int, std::thread>> threads_ ABSL_GUARDED_BY(mu_);
};

}  // namespace fanout::worker

#endif  // FANOUT_WORKER_RUNTIME_RUNTIME_API_SERVER_H_
