// The audit log: one JSON line per admin action (tokens created and revoked, functions created
// and deleted), with who, what, when and the outcome, appended and synced before the answer.
// Secrets never reach it: a token appears by its id.
#ifndef FANOUT_COORDINATOR_AUTH_AUDIT_LOG_H_
#define FANOUT_COORDINATOR_AUTH_AUDIT_LOG_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "coordinator/auth/authorizer.h"
#include "nlohmann/json.hpp"

namespace fanout::coordinator {

// Thread-safe. Owned by the CoordinatorServer.
class AuditLog {
 public:
  static absl::StatusOr<std::unique_ptr<AuditLog>> Open(const std::string& path, Clock& clock);
  ~AuditLog();

  // {"time", "who", "role", "action", "target", "ok", "error"?} plus `details`' fields (which
  // never replace those).
  void Record(const Principal& who, absl::string_view action, absl::string_view target,
              const absl::Status& outcome, const nlohmann::json& details = nlohmann::json());

 private:
  AuditLog(int fd, Clock& clock) : fd_(fd), clock_(clock) {}
  absl::Mutex mu_;
  const int fd_;
  Clock& clock_;
};

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_AUTH_AUDIT_LOG_H_
