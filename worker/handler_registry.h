// Maps function specs ("builtin:sha256") to the handlers a worker can run.
#ifndef FANOUT_WORKER_HANDLER_REGISTRY_H_
#define FANOUT_WORKER_HANDLER_REGISTRY_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "worker/handler.h"

namespace fanout::worker {

// Thread-safe once built (Find only reads). Owned by the worker.
class HandlerRegistry {
 public:
  void Register(std::string function, std::unique_ptr<Handler> handler);
  // Null when this worker cannot run `function` (built-ins only).
  Handler* Find(absl::string_view function) const;
  // Asked for what is not registered (users' functions): a handler or why there is none. Set
  // before the worker starts.
  using Resolver = std::function<absl::StatusOr<Handler*>(absl::string_view function)>;
  void SetResolver(Resolver resolver) { resolver_ = std::move(resolver); }
  // The registered handler, else the resolver's answer; kNotFound when neither has one.
  absl::StatusOr<Handler*> Resolve(absl::string_view function) const;
  std::vector<std::string> Functions() const;

 private:
  absl::flat_hash_map<std::string, std::unique_ptr<Handler>> handlers_;
  Resolver resolver_;
};

// Every built-in handler, registered as "builtin:NAME".
std::unique_ptr<HandlerRegistry> BuiltinHandlers();

}  // namespace fanout::worker

#endif  // FANOUT_WORKER_HANDLER_REGISTRY_H_
