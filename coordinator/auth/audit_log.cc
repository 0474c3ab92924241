#include "coordinator/auth/audit_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/json_text.h"
#include "glog/logging.h"

namespace fanout::coordinator {

absl::StatusOr<std::unique_ptr<AuditLog>> AuditLog::Open(const std::string& path, Clock& clock) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot open the audit log ", path, ": ", std::strerror(errno)));
  }
  return std::unique_ptr<AuditLog>(new AuditLog(fd, clock));
}

AuditLog::~AuditLog() { close(fd_); }

void AuditLog::Record(const Principal& who, absl::string_view action, absl::string_view target,
                      const absl::Status& outcome, const nlohmann::json& details) {
  nlohmann::json line = nlohmann::json::object();
  line["time"] = absl::FormatTime(absl::RFC3339_full, clock_.Now(), absl::UTCTimeZone());
  line["who"] = who.id.empty() ? "anonymous" : who.id;
  if (!who.name.empty()) line["who_name"] = who.name;
  line["role"] = RoleName(who.role);
  line["action"] = std::string(action);
  line["target"] = std::string(target);
  line["ok"] = outcome.ok();
  if (!outcome.ok()) line["error"] = std::string(outcome.message());
  if (details.is_object()) {
    for (const auto& [key, value] : details.items()) line.emplace(key, value);  // never replaces
  }
  const std::string text = DumpJson(line) + "\n";
  absl::MutexLock lock(&mu_);
  // One write (O_APPEND): lines never interleave; synced, so an answered action is on record.
  if (write(fd_, text.data(), text.size()) != static_cast<ssize_t>(text.size()) ||
      fdatasync(fd_) != 0) {
    LOG(ERROR) << "audit log: cannot write: " << std::strerror(errno);
  }
}

}  // namespace fanout::coordinator
