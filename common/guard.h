// The last line of defence of a background step: an exception that escapes it — from a library
// that throws on input no check foresaw — becomes an INTERNAL status for the one job or message
// the step was about, instead of std::terminate for the whole process. Every parse already goes
// through common/json_text.h and common/utf8.h; this only catches what they did not foresee.
#ifndef FANOUT_COMMON_GUARD_H_
#define FANOUT_COMMON_GUARD_H_

#include <exception>
#include <type_traits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace fanout {

// Calls `step()`, which returns absl::Status or absl::StatusOr<T>.
template <class F>
std::invoke_result_t<F> Guarded(absl::string_view what, F&& step) {
  try {
    return step();
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat(what, ": ", e.what()));
  } catch (...) {
    return absl::InternalError(absl::StrCat(what, ": an unknown exception"));
  }
}

}  // namespace fanout

#endif  // FANOUT_COMMON_GUARD_H_
