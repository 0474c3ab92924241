#include "coordinator/auth/http_guard.h"

#include "common/json_text.h"
#include "nlohmann/json.hpp"

namespace fanout::coordinator {
namespace {

constexpr char kTokenPage[] = R"(<!doctype html>
<html><head><meta charset="utf-8"><title>fanout: token needed</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 4em auto">
<h1>fanout</h1>
<p>This coordinator needs a token with role <b>read</b> (or submit, or admin).
Make one with <code>fanout token create --role=read --name=dashboard</code>.</p>
<form id="f"><input id="t" type="password" size="60" placeholder="fanout_..." autofocus>
<button>Open the dashboard</button></form>
<script>
document.getElementById('f').onsubmit = (e) => {
  e.preventDefault();
  const secure = location.protocol === 'https:' ? '; Secure' : '';
  document.cookie = 'fanout_token=' + encodeURIComponent(document.getElementById('t').value.trim()) +
      '; path=/; SameSite=Strict' + secure;
  location.reload();
};
</script></body></html>
)";

}  // namespace

std::function<std::optional<HttpResponse>(const HttpRequest&)> ReadGuard(const Authorizer& auth) {
  if (!auth.required()) return nullptr;
  return [&auth](const HttpRequest& request) -> std::optional<HttpResponse> {
    absl::StatusOr<Principal> principal = auth.CheckHttp(request, Access::kRead);
    if (principal.ok()) return std::nullopt;
    const int status = principal.status().code() == absl::StatusCode::kUnauthenticated ? 401 : 403;
    if (request.path == "/" || request.path == "/index.html") {
      return HttpResponse{status, "text/html; charset=utf-8", kTokenPage};
    }
    return HttpResponse{status, "application/json",
                        DumpJson(nlohmann::json{{"error", principal.status().message()}})};
  };
}

}  // namespace fanout::coordinator
