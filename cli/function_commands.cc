// `fanout function create|update|list|get|versions|delete`: users' functions in the coordinator's
// registry. A --code directory is packed here (a reproducible tarball); a zip or tarball is sent
// as it is; the coordinator checks and keeps it by digest.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "cli/client.h"
#include "cli/code_upload.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "common/bundle.h"
#include "common/functions.h"
#include "common/grpc_status.h"
#include "common/json_text.h"
#include "common/plural.h"
#include "common/proto_time.h"

namespace fanout::cli {
namespace {

using json = nlohmann::json;

// "width:integer:required, mode:string", as --declare_params takes them.
std::string ParamsText(const v1::FunctionSettings& settings) {
  std::vector<std::string> out;
  for (const v1::ParamDecl& p : settings.params()) {
    out.push_back(absl::StrCat(p.name(), ":", p.type(), p.required() ? ":required" : ""));
  }
  return absl::StrJoin(out, ", ");
}

json VersionToJson(const v1::FunctionVersion& v) {
  json env = json::object();
  for (const v1::EnvVar& var : v.settings().env()) {
    // The coordinator sends no secret's value; this says that one is set.
    env[var.name()] = var.secret() ? std::string("(secret)") : var.value();
  }
  return {{"name", v.name()},
          {"version", v.version()},
          {"runtime", v.settings().runtime()},
          {"handler", v.settings().handler()},
          {"memory_mb", v.settings().memory_mb()},
          {"timeout", absl::FormatDuration(FromProto(v.settings().timeout()))},
          {"env", env},
          {"description", v.settings().description()},
          {"params", ParamsText(v.settings())},
          {"code_sha256", v.code_sha256()},
          {"code_bytes", v.code_bytes()},
          {"created_at",
           absl::FormatTime(absl::RFC3339_sec, FromProto(v.created_at()), absl::UTCTimeZone())}};
}

// The bundle to send: a directory packed into a temporary tarball (removed by the caller), or the
// archive itself.
absl::StatusOr<std::string> BundleFile(const std::string& code, std::string* temp) {
  if (code.empty())
    return absl::InvalidArgumentError("--code: missing (a directory, .zip or .tar.gz)");
  struct stat st {};
  if (::stat(code.c_str(), &st) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--code: ", code, ": no such file or directory"));
  }
  if (!S_ISDIR(st.st_mode)) return code;
  // A fresh file of our own (mkstemps): a predictable name in /tmp could be someone's symlink.
  const char* tmpdir = std::getenv("TMPDIR");
  std::string name = absl::StrCat(tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp",
                                  "/fanout-code-XXXXXX.tar.gz");
  const int fd = ::mkstemps(name.data(), 7);
  if (fd < 0) return absl::InternalError(absl::StrCat("--code: cannot make a temporary file"));
  ::close(fd);
  *temp = name;
  if (absl::Status packed = PackDirectory(code, *temp); !packed.ok()) return packed;
  return *temp;
}

absl::StatusOr<v1::FunctionSettings> SettingsFromFlags(const std::vector<EnvFlag>& env) {
  v1::FunctionSettings settings;
  settings.set_runtime(absl::GetFlag(FLAGS_runtime));
  settings.set_handler(absl::GetFlag(FLAGS_handler));
  const int memory = absl::GetFlag(FLAGS_memory_mb);
  if (memory < 0) return absl::InvalidArgumentError("--memory_mb: must be positive");
  settings.set_memory_mb(static_cast<uint32_t>(memory));
  if (absl::GetFlag(FLAGS_timeout) > absl::ZeroDuration()) {
    ToProto(absl::GetFlag(FLAGS_timeout), settings.mutable_timeout());
  }
  settings.set_description(absl::GetFlag(FLAGS_description));
  for (absl::string_view decl :
       absl::StrSplit(absl::GetFlag(FLAGS_declare_params), ',', absl::SkipWhitespace())) {
    std::vector<std::string> parts = absl::StrSplit(decl, ':');
    const bool required = parts.size() == 3 && parts[2] == "required";
    if (parts.size() < 2 || parts.size() > 3 || (parts.size() == 3 && !required)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--declare_params: expected NAME:TYPE or NAME:TYPE:required, got '", decl, "'"));
    }
    v1::ParamDecl* param = settings.add_params();
    param->set_name(std::string(absl::StripAsciiWhitespace(parts[0])));
    param->set_type(std::string(absl::StripAsciiWhitespace(parts[1])));
    param->set_required(required);
  }
  for (const EnvFlag& flag : env) {
    const bool secret = flag.secret;
    const std::string& pair = flag.pair;
    const size_t eq = pair.find('=');
    if (eq == std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          secret ? "--secret_env" : "--env", ": expected K=V, got '", secret ? "..." : pair, "'"));
    }
    v1::EnvVar* var = settings.add_env();
    var->set_name(pair.substr(0, eq));
    var->set_value(pair.substr(eq + 1));
    var->set_secret(secret);
  }
  return settings;
}

void Print(const v1::FunctionVersion& v) {
  if (absl::GetFlag(FLAGS_json)) {
    std::cout << DumpJson(VersionToJson(v)) << "\n";
    return;
  }
  std::cout << "function " << v.name() << " version " << v.version() << ": runtime "
            << v.settings().runtime() << ", handler '" << v.settings().handler() << "', "
            << v.settings().memory_mb() << " MB, timeout "
            << absl::FormatDuration(FromProto(v.settings().timeout())) << ", code "
            << v.code_sha256().substr(0, 12) << " (" << v.code_bytes() << " bytes)";
  if (v.settings().params_size() > 0) std::cout << ", params " << ParamsText(v.settings());
  std::cout << "\n";
}

int CreateOrUpdate(const std::string& name, bool update, const std::vector<EnvFlag>& env) {
  if (absl::Status valid = ValidateFunctionName(name); !valid.ok()) {
    return Fail(absl::InvalidArgumentError(absl::StrCat("function: ", valid.message())));
  }
  absl::StatusOr<v1::FunctionSettings> settings = SettingsFromFlags(env);
  if (!settings.ok()) return Fail(settings.status());
  v1::CreateFunctionRequest request;
  request.set_name(name);
  *request.mutable_settings() = *std::move(settings);
  request.set_update(update);
  Client client = Connect();
  const std::string code_flag = absl::GetFlag(FLAGS_code);
  if (absl::StartsWith(code_flag, "s3://")) {
    request.set_code_s3_url(code_flag);  // the coordinator fetches it
  } else {
    std::string temp;
    absl::StatusOr<std::string> bundle = BundleFile(code_flag, &temp);
    if (!bundle.ok()) return Fail(bundle.status());
    absl::StatusOr<v1::CodeRef> code = UploadBundle(*client.functions, *bundle);
    if (!temp.empty()) ::unlink(temp.c_str());
    if (!code.ok()) {
      return Fail(client, ToGrpcStatus(code.status()));
    }
    request.set_code_sha256(code->sha256());
  }
  v1::FunctionVersion version;
  grpc::Status status = client.functions->CreateFunction(CallContext().get(), request, &version);
  if (!status.ok()) return Fail(client, status);
  Print(version);
  return kExitOk;
}

int List(const std::string& name) {
  Client client = Connect();
  v1::ListFunctionsRequest request;
  request.set_name(name);
  v1::ListFunctionsResponse response;
  grpc::Status status = client.functions->ListFunctions(CallContext().get(), request, &response);
  if (!status.ok()) return Fail(client, status);
  if (absl::GetFlag(FLAGS_json)) {
    json out = json::array();
    for (const v1::FunctionVersion& v : response.functions()) out.push_back(VersionToJson(v));
    std::cout << DumpJson(out) << "\n";
    return kExitOk;
  }
  std::cout << absl::StrFormat("%-24s %7s %-9s %6s %8s  %-12s %s\n", "NAME", "VERSION", "RUNTIME",
                               "MEMORY", "TIMEOUT", "CODE", "HANDLER");
  for (const v1::FunctionVersion& v : response.functions()) {
    std::cout << absl::StrFormat("%-24s %7d %-9s %6d %8s  %-12s %s\n", v.name(), v.version(),
                                 v.settings().runtime(), v.settings().memory_mb(),
                                 absl::FormatDuration(FromProto(v.settings().timeout())),
                                 v.code_sha256().substr(0, 12), v.settings().handler());
  }
  return kExitOk;
}

}  // namespace

int FunctionCommand(const std::vector<std::string>& args, const std::vector<EnvFlag>& env) {
  const std::string sub = args.empty() ? "" : args[0];
  const std::string name = args.size() > 1 ? args[1] : "";
  if (sub == "list" && args.size() == 1) return List("");
  if (args.size() != 2) {
    std::cerr << "fanout function: expected create|update|get|versions|delete NAME, or list\n";
    return kExitUsage;
  }
  if (sub == "create" || sub == "update") return CreateOrUpdate(name, sub == "update", env);
  if (sub == "versions") return List(name);
  Client client = Connect();
  if (sub == "get") {
    absl::StatusOr<FunctionSpec> spec = ParseFunction(name);
    if (!spec.ok() || spec->runtime != FunctionSpec::Runtime::kUser) {
      return Fail(absl::InvalidArgumentError(
          absl::StrCat("function get: '", name, "' is not NAME[:VERSION]")));
    }
    v1::GetFunctionRequest request;
    request.set_name(spec->name);
    request.set_version(spec->version);
    v1::FunctionVersion version;
    grpc::Status status = client.functions->GetFunction(CallContext().get(), request, &version);
    if (!status.ok()) return Fail(client, status);
    Print(version);
    return kExitOk;
  }
  if (sub == "delete") {
    v1::DeleteFunctionRequest request;
    request.set_name(name);
    v1::DeleteFunctionResponse response;
    grpc::Status status = client.functions->DeleteFunction(CallContext().get(), request, &response);
    if (!status.ok()) return Fail(client, status);
    std::cout << "function " << name << " deleted (" << Counted(response.versions(), "version")
              << ")\n";
    return kExitOk;
  }
  std::cerr << "fanout function: unknown subcommand '" << sub << "'\n";
  return kExitUsage;
}

}  // namespace fanout::cli
