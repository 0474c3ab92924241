#include "common/metrics_http.h"

#include <openssl/crypto.h>

#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/flag_file.h"
#include "common/loopback.h"
#include "prometheus/text_serializer.h"

namespace fanout {

HttpResponse MetricsResponse(prometheus::Registry& registry) {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, registry.Collect());
  return {200, "text/plain; version=0.0.4; charset=utf-8", out.str()};
}

absl::StatusOr<std::unique_ptr<HttpServer>> StartMetricsServer(const std::string& listen,
                                                               prometheus::Registry& registry,
                                                               std::function<void()> before_scrape,
                                                               HttpServer::Options options) {
  return HttpServer::Start(
      listen, "metrics_listen",
      [&registry, before_scrape = std::move(before_scrape)](const HttpRequest& request) {
        if (request.path != "/metrics") {
          return HttpResponse{404, "text/plain", "metrics are at /metrics\n"};
        }
        if (before_scrape) before_scrape();
        return MetricsResponse(registry);
      },
      std::move(options));
}

absl::StatusOr<HttpServer::Options> MetricsServerOptions(const std::string& listen,
                                                         const std::string& token_file) {
  HttpServer::Options options{.threads = 2};
  if (token_file.empty()) {
    if (IsLoopbackListen(listen)) return options;
    return absl::InvalidArgumentError(absl::StrCat(
        "--metrics_listen=", listen,
        " is reachable beyond loopback: give --metrics_token_file (scrapers send it as a bearer "
        "token)"));
  }
  absl::StatusOr<std::string> text = ReadFlagFile(token_file, "--metrics_token_file");
  if (!text.ok()) return text.status();
  const std::string token(absl::StripAsciiWhitespace(*text));
  if (token.size() < 16) {
    return absl::InvalidArgumentError(
        absl::StrCat("--metrics_token_file: ", token_file, " holds no token of 16 bytes or more"));
  }
  options.guard = [expected = "Bearer " +
                              token](const HttpRequest& request) -> std::optional<HttpResponse> {
    const std::string& given = request.Header("authorization");
    if (given.size() == expected.size() &&
        CRYPTO_memcmp(given.data(), expected.data(), expected.size()) == 0) {
      return std::nullopt;
    }
    return HttpResponse{401, "text/plain", "a bearer token is needed (--metrics_token_file)\n"};
  };
  return options;
}

}  // namespace fanout
