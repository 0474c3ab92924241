// Maps function specs ("builtin:sha256") to the handlers a worker can run.
#ifndef FANOUT_WORKER_HANDLER_REGISTRY_H_
#define FANOUT_WORKER_HANDLER_REGISTRY_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "worker/handler.h"

namespace fanout::worker {

// Thread-safe once built (Find only reads). Owned by the worker.
class HandlerRegistry {
 public:
  void Register(std::string function, std::unique_ptr<Handler> handler);
  // Null when this worker cannot run `function`.
  Handler* Find(absl::string_view function) const;
  std::vector<std::string> Functions() const;

 private:
  absl::flat_hash_map<std::string, std::unique_ptr<Handler>> handlers_;
};

// Every built-in handler, registered as "builtin:NAME".
std::unique_ptr<HandlerRegistry> BuiltinHandlers();

}  // namespace fanout::worker

#endif  // FANOUT_WORKER_HANDLER_REGISTRY_H_
