// `fanout token create|list|revoke`: the coordinator's bearer tokens (an admin's calls). A new
// token's secret is printed once, on stdout alone, so that `fanout token create ... > file` keeps
// exactly it.
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "cli/client.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "common/json_text.h"
#include "common/proto_time.h"
#include "nlohmann/json.hpp"

namespace fanout::cli {
namespace {

using nlohmann::json;

const char* kRoles[] = {"", "admin", "submit", "read", "worker", "trigger"};

std::string RoleText(v1::Role role) {
  const int i = static_cast<int>(role);
  return i > 0 && i < 6 ? kRoles[i] : "none";
}

json AsJson(const v1::TokenInfo& t) {
  json out = {{"id", t.id()},
              {"name", t.name()},
              {"role", RoleText(t.role())},
              {"created_at",
               absl::FormatTime(absl::RFC3339_sec, FromProto(t.created_at()), absl::UTCTimeZone())},
              {"revoked", t.revoked()}};
  return out;
}

int Create() {
  const std::string role = absl::GetFlag(FLAGS_role);
  v1::CreateTokenRequest request;
  for (int i = 1; i < 6; ++i) {
    if (role == kRoles[i]) request.set_role(static_cast<v1::Role>(i));
  }
  if (request.role() == v1::ROLE_UNSPECIFIED) {
    std::cerr << "fanout token create: --role: '" << role
              << "' is none of admin, submit, read, worker, trigger\n";
    return kExitUsage;
  }
  request.set_name(absl::GetFlag(FLAGS_name));
  Client client = Connect();
  v1::CreateTokenResponse response;
  grpc::Status status = client.auth->CreateToken(CallContext().get(), request, &response);
  if (!status.ok()) return Fail(client, status);
  if (absl::GetFlag(FLAGS_json)) {
    json out = AsJson(response.info());
    out["token"] = response.token();
    std::cout << DumpJson(out) << "\n";
  } else {
    std::cout << response.token() << "\n";
    std::cerr << "fanout: token " << response.info().id() << " (" << role
              << "): the line above is its only copy; pass it as FANOUT_TOKEN or --token_file\n";
  }
  return kExitOk;
}

int List() {
  Client client = Connect();
  v1::ListTokensResponse response;
  grpc::Status status =
      client.auth->ListTokens(CallContext().get(), v1::ListTokensRequest(), &response);
  if (!status.ok()) return Fail(client, status);
  for (const v1::TokenInfo& t : response.tokens()) {
    if (absl::GetFlag(FLAGS_json)) {
      std::cout << DumpJson(AsJson(t)) << "\n";
      continue;
    }
    std::cout << t.id() << "  " << RoleText(t.role()) << "  "
              << absl::FormatTime("%Y-%m-%d %H:%M", FromProto(t.created_at()), absl::UTCTimeZone())
              << (t.revoked() ? "  revoked" : "") << "  " << t.name() << "\n";
  }
  return kExitOk;
}

int Revoke(const std::string& id) {
  Client client = Connect();
  v1::RevokeTokenRequest request;
  request.set_id(id);
  v1::TokenInfo info;
  grpc::Status status = client.auth->RevokeToken(CallContext().get(), request, &info);
  if (!status.ok()) return Fail(client, status);
  std::cout << "token " << info.id() << " revoked\n";
  return kExitOk;
}

}  // namespace

int TokenCommand(const std::vector<std::string>& args) {
  const std::string sub = args.empty() ? "" : args[0];
  if (sub == "create" && args.size() == 1) return Create();
  if (sub == "list" && args.size() == 1) return List();
  if (sub == "revoke" && args.size() == 2) return Revoke(args[1]);
  std::cerr << "fanout token: expected create --role=R [--name=N], list, or revoke ID\n";
  return kExitUsage;
}

}  // namespace fanout::cli
