#include "worker/handler_registry.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "worker/builtins/builtins.h"

namespace fanout::worker {

void HandlerRegistry::Register(std::string function, std::unique_ptr<Handler> handler) {
  handlers_[std::move(function)] = std::move(handler);
}

Handler* HandlerRegistry::Find(absl::string_view function) const {
  auto it = handlers_.find(function);
  return it == handlers_.end() ? nullptr : it->second.get();
}

absl::StatusOr<Handler*> HandlerRegistry::Resolve(absl::string_view function) const {
  if (Handler* handler = Find(function)) return handler;
  if (!resolver_ || absl::StartsWith(function, "builtin:")) {
    return absl::NotFoundError(absl::StrCat("function ", function, " is not available here"));
  }
  return resolver_(function);
}

std::vector<std::string> HandlerRegistry::Functions() const {
  std::vector<std::string> out;
  for (const auto& [name, handler] : handlers_) out.push_back(name);
  std::sort(out.begin(), out.end());
  return out;
}

std::unique_ptr<HandlerRegistry> BuiltinHandlers() {
  auto registry = std::make_unique<HandlerRegistry>();
  registry->Register("builtin:noop", MakeNoopHandler());
  registry->Register("builtin:sleep", MakeSleepHandler());
  registry->Register("builtin:fail", MakeFailHandler());
  registry->Register("builtin:sha256", MakeSha256Handler());
  registry->Register("builtin:count", MakeCountHandler());
  registry->Register("builtin:lines", MakeLinesHandler());
  registry->Register("builtin:s3-copy", MakeS3CopyHandler());
  registry->Register("builtin:sum", MakeSumHandler());
  registry->Register("builtin:blob", MakeBlobHandler());
  return registry;
}

}  // namespace fanout::worker
