// RETURN_IF_ERROR / ASSIGN_OR_RETURN: Debian's Abseil (20220623) ships no status macros.
#ifndef FANOUT_COMMON_STATUS_MACROS_H_
#define FANOUT_COMMON_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define FANOUT_CONCAT_INNER(a, b) a##b
#define FANOUT_CONCAT(a, b) FANOUT_CONCAT_INNER(a, b)

#define RETURN_IF_ERROR(expr)                        \
  do {                                               \
    ::absl::Status fanout_status_ = (expr);          \
    if (!fanout_status_.ok()) return fanout_status_; \
  } while (0)

#define ASSIGN_OR_RETURN(lhs, expr) \
  FANOUT_ASSIGN_OR_RETURN_IMPL(FANOUT_CONCAT(fanout_statusor_, __LINE__), lhs, expr)

#define FANOUT_ASSIGN_OR_RETURN_IMPL(statusor, lhs, expr)  \
  auto statusor = (expr);                                  \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = std::move(statusor).value()

#endif  // FANOUT_COMMON_STATUS_MACROS_H_
