// Bearer tokens as a request brings them: the Authorization header and the dashboard's cookie,
// checked against a real token store (RocksDB in a temporary directory) with auth required. Half
// the inputs start with a known token's id, so the secret's comparison is reached too.
#include <cstdlib>
#include <filesystem>
#include <string>

#include "common/clock.h"
#include "coordinator/auth/authorizer.h"
#include "coordinator/auth/token_store.h"
#include "fuzz/fuzzed.h"

namespace {

struct Setup {
  std::unique_ptr<fanout::coordinator::TokenStore> tokens;
  std::unique_ptr<fanout::coordinator::Authorizer> auth;
  std::string id;  // of the one token made
};

Setup* MakeSetup() {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string dir = std::string(tmp != nullptr ? tmp : "/tmp") + "/fanout-auth-fuzzer-XXXXXX";
  if (mkdtemp(dir.data()) == nullptr) abort();
  auto* setup = new Setup();
  setup->tokens = *fanout::coordinator::TokenStore::Open(dir, false, fanout::RealClock::Get());
  setup->id = setup->tokens->Create(fanout::v1::ROLE_READ, "fuzz")->info().id();
  setup->auth = std::make_unique<fanout::coordinator::Authorizer>(
      *setup->tokens, fanout::coordinator::Authorizer::Options{.required = true});
  return setup;
}

}  // namespace

// Input: a choice byte (bit 0: start with the known id; bit 1: the cookie instead of the header),
// then the bytes of the credential.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Setup* setup = MakeSetup();
  absl::string_view text = fanout::fuzz::Text(data, size);
  const uint8_t choice = fanout::fuzz::TakeByte(&text);
  std::string credential(text);
  if (choice & 1) credential = "fanout_" + setup->id + "_" + credential;
  fanout::HttpRequest request;
  request.method = "GET";
  request.path = "/api/jobs";
  if (choice & 2) {
    request.headers["cookie"] = "theme=dark; fanout_token=" + credential;
  } else {
    request.headers["authorization"] = "Bearer " + credential;
  }
  (void)setup->auth->CheckHttp(request, fanout::coordinator::Access::kRead);
  return 0;
}
