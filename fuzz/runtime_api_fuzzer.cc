// HTTP requests as a function's runtime sends them to its Runtime API endpoint (user code, so
// outside bytes): read from a stream cut into pieces of a size the first byte picks, every request
// of it parsed (bodies by length or chunked with trailers, Expect: 100-continue) and answered.
#include <algorithm>

#include "fuzz/fuzzed.h"
#include "worker/runtime/http_wire.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view text = fanout::fuzz::Text(data, size);
  const size_t piece = 1 + fanout::fuzz::TakeByte(&text) % 64;
  size_t pos = 0;
  fanout::worker::WireReader reader(
      [&](char* buf, size_t n) -> long {
        const size_t take = std::min({n, piece, text.size() - pos});
        std::copy_n(text.data() + pos, take, buf);
        pos += take;
        return static_cast<long>(take);
      },
      /*max_body=*/1 << 16);
  for (int i = 0; i < 64; ++i) {
    absl::StatusOr<fanout::worker::WireRequest> request = reader.Read([] {});
    if (!request.ok()) break;
    fanout::worker::WireResponse response;
    response.body = request->body;
    response.headers = request->trailers;
    (void)request->Header("lambda-runtime-function-error-type");
    (void)fanout::worker::SerializeResponse(response, request->keep_alive);
  }
  return 0;
}
