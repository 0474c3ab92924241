// The token check of the coordinator's HTTP listeners (dashboard, JSON API, /metrics): read
// access. A browser without a token gets a page that asks for one and keeps it in a cookie
// (SameSite=Strict, so other sites cannot make the browser use it); scripts and Prometheus send
// "Authorization: Bearer ...".
#ifndef FANOUT_COORDINATOR_AUTH_HTTP_GUARD_H_
#define FANOUT_COORDINATOR_AUTH_HTTP_GUARD_H_

#include <functional>
#include <optional>

#include "common/http_server.h"
#include "coordinator/auth/authorizer.h"

namespace fanout::coordinator {

// Null when auth is off. `auth` must outlive the guard.
std::function<std::optional<HttpResponse>(const HttpRequest&)> ReadGuard(const Authorizer& auth);

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_AUTH_HTTP_GUARD_H_
