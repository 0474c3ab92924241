#include "coordinator/functions/function_registry.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/proto_time.h"
#include "common/status_macros.h"
#include "common/utf8.h"
#include "coordinator/functions/function_params.h"
#include "coordinator/rocksdb_glue.h"
#include "rocksdb/write_batch.h"
#include "s3/s3_client.h"

namespace fanout::coordinator {
namespace {

constexpr uint32_t kMinMemoryMb = 128, kMaxMemoryMb = 10240;  // Lambda's range
constexpr absl::Duration kMaxTimeout = absl::Hours(1);

std::string VersionPrefix(const std::string& name) { return absl::StrCat("v/", name, "/"); }
std::string VersionKey(const std::string& name, uint32_t version) {
  return absl::StrFormat("v/%s/%010u", name, version);
}
std::string LastKey(const std::string& name) { return absl::StrCat("last/", name); }

// s3://BUCKET/KEY into the code store, streamed and checked as an upload is.
absl::StatusOr<v1::CodeRef> ImportFromS3(CodeStore& code, const std::string& url) {
  ASSIGN_OR_RETURN(auto where, s3::ParseS3Url(url, "code_s3_url"));
  if (where.second.empty()) {
    return absl::InvalidArgumentError("code_s3_url: name an object: s3://BUCKET/KEY");
  }
  absl::StatusOr<s3::S3Config> config = s3::S3ConfigFromEnvironment();
  if (!config.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "code_s3_url: the coordinator has no S3 settings: ", config.status().message()));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<CodeStore::Upload> upload, code.StartUpload());
  absl::Status appended;
  absl::Status got =
      s3::S3Client(*config).GetStream(where.first, where.second, "", [&](absl::string_view chunk) {
        appended = upload->Append(chunk);
        return appended.ok();
      });
  RETURN_IF_ERROR(appended);
  if (!got.ok()) {
    return absl::Status(got.code(), absl::StrCat("code_s3_url: ", url, ": ", got.message()));
  }
  return upload->Commit();
}

}  // namespace

absl::StatusOr<std::unique_ptr<FunctionRegistry>> FunctionRegistry::Open(const Options& options,
                                                                         Clock& clock) {
  std::unique_ptr<FunctionRegistry> registry(new FunctionRegistry(clock));
  registry->sync_ = options.sync;
  ASSIGN_OR_RETURN(registry->code_,
                   CodeStore::Open(options.data_dir + "/code", options.max_bundle_bytes));
  rocksdb::Options db_options;
  db_options.create_if_missing = true;
  db_options.max_open_files = 64;
  rocksdb::DB* db = nullptr;
  RETURN_IF_ERROR(FromRocks(rocksdb::DB::Open(db_options, options.data_dir + "/functions", &db),
                            "open the function registry"));
  registry->db_.reset(db);
  return registry;
}

FunctionRegistry::~FunctionRegistry() = default;

absl::Status FunctionRegistry::Validate(const v1::CreateFunctionRequest& request,
                                        v1::FunctionSettings& settings) const {
  RETURN_IF_ERROR(ValidateFunctionName(request.name()));
  if (settings.runtime() != "provided" && settings.runtime() != "exec") {
    return absl::InvalidArgumentError(absl::StrCat(
        "runtime: '", ReplaceInvalidUtf8(settings.runtime()), "' is not provided or exec"));
  }
  RETURN_IF_ERROR(CheckUtf8(settings.handler(), "handler"));
  if (settings.runtime() == "exec" && settings.handler().empty()) {
    return absl::InvalidArgumentError("handler: runtime exec runs the handler's command: give one");
  }
  if (settings.handler().size() > 4096) {
    return absl::InvalidArgumentError("handler: over 4096 bytes");
  }
  if (settings.memory_mb() == 0) settings.set_memory_mb(kMinMemoryMb);
  if (settings.memory_mb() < kMinMemoryMb || settings.memory_mb() > kMaxMemoryMb) {
    return absl::InvalidArgumentError(absl::StrCat(
        "memory_mb: ", settings.memory_mb(), " is outside ", kMinMemoryMb, "..", kMaxMemoryMb));
  }
  if (!settings.has_timeout()) ToProto(absl::Seconds(300), settings.mutable_timeout());
  const absl::Duration timeout = FromProto(settings.timeout());
  if (timeout < absl::Seconds(1) || timeout > kMaxTimeout) {
    return absl::InvalidArgumentError(absl::StrCat(
        "timeout: ", absl::FormatDuration(timeout), " is outside 1s..",
        absl::FormatDuration(kMaxTimeout), " (longer work checkpoints and continues)"));
  }
  std::vector<std::pair<std::string, std::string>> env;
  for (const v1::EnvVar& var : settings.env()) env.emplace_back(var.name(), var.value());
  RETURN_IF_ERROR(ValidateFunctionEnv(env));
  RETURN_IF_ERROR(ValidateParamDecls(settings));
  RETURN_IF_ERROR(CheckUtf8(settings.description(), "description"));
  if (settings.description().size() > 256) {
    return absl::InvalidArgumentError("description: over 256 bytes");
  }
  return absl::OkStatus();
}

absl::StatusOr<uint32_t> FunctionRegistry::LastVersion(const std::string& name, bool* exists) {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), LastKey(name), &value);
  uint32_t last = 0;
  if (!s.IsNotFound()) {
    RETURN_IF_ERROR(FromRocks(s, "read the function registry"));
    if (!absl::SimpleAtoi(value, &last)) return absl::DataLossError("a bad version counter");
  }
  absl::StatusOr<v1::FunctionVersion> latest = Get(name, 0);
  *exists = latest.ok();
  if (!latest.ok() && latest.status().code() != absl::StatusCode::kNotFound) {
    return latest.status();
  }
  return last;
}

absl::StatusOr<v1::FunctionVersion> FunctionRegistry::Create(
    const v1::CreateFunctionRequest& request) {
  v1::FunctionSettings settings = request.settings();
  RETURN_IF_ERROR(Validate(request, settings));
  std::string sha256 = request.code_sha256();
  if (sha256.empty() && !request.code_s3_url().empty()) {
    ASSIGN_OR_RETURN(v1::CodeRef imported, ImportFromS3(*code_, request.code_s3_url()));
    sha256 = imported.sha256();
  }
  ASSIGN_OR_RETURN(v1::CodeRef code, code_->Describe(sha256));
  if (settings.runtime() == "provided" && !code.has_bootstrap()) {
    return absl::InvalidArgumentError(
        "code: runtime provided starts the bundle's `bootstrap`, and the bundle has no "
        "executable bootstrap at its top");
  }
  absl::MutexLock lock(&mu_);
  bool exists = false;
  ASSIGN_OR_RETURN(uint32_t last, LastVersion(request.name(), &exists));
  if (exists && !request.update()) {
    return absl::AlreadyExistsError(absl::StrCat(
        "function ", request.name(), " exists; `fanout function update` makes a new version"));
  }
  if (!exists && request.update()) {
    return absl::NotFoundError(absl::StrCat("no function ", request.name(), " to update"));
  }
  v1::FunctionVersion version;
  version.set_name(request.name());
  version.set_version(last + 1);
  *version.mutable_settings() = std::move(settings);
  version.set_code_sha256(code.sha256());
  version.set_code_bytes(code.bytes());
  ToProto(clock_.Now(), version.mutable_created_at());
  rocksdb::WriteBatch batch;
  batch.Put(VersionKey(version.name(), version.version()), version.SerializeAsString());
  batch.Put(LastKey(version.name()), absl::StrCat(version.version()));
  rocksdb::WriteOptions write;
  write.sync = sync_;
  RETURN_IF_ERROR(FromRocks(db_->Write(write, &batch), "write the function registry"));
  return version;
}

absl::StatusOr<v1::FunctionVersion> FunctionRegistry::Get(const std::string& name,
                                                          uint32_t version) {
  RETURN_IF_ERROR(ValidateFunctionName(name));
  std::string key, value;
  if (version != 0) {
    key = VersionKey(name, version);
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), key, &value);
    if (s.IsNotFound()) {
      return absl::NotFoundError(absl::StrCat(name, " has no version ", version));
    }
    RETURN_IF_ERROR(FromRocks(s, "read the function registry"));
  } else {
    const std::string prefix = VersionPrefix(name);
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
    it->SeekForPrev(prefix + "\xff");
    if (!it->Valid() || !absl::StartsWith(View(it->key()), prefix)) {
      RETURN_IF_ERROR(FromRocks(it->status(), "read the function registry"));
      return absl::NotFoundError(
          absl::StrCat("no function named ", name, " (fanout function create makes one)"));
    }
    value = it->value().ToString();
  }
  v1::FunctionVersion out;
  if (!out.ParseFromString(value)) {
    return absl::DataLossError(absl::StrCat("function ", name, ": an unreadable record"));
  }
  return out;
}

absl::StatusOr<std::vector<v1::FunctionVersion>> FunctionRegistry::List(const std::string& name) {
  if (!name.empty()) RETURN_IF_ERROR(ValidateFunctionName(name));
  const std::string prefix = name.empty() ? "v/" : VersionPrefix(name);
  std::vector<v1::FunctionVersion> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(prefix); it->Valid() && absl::StartsWith(View(it->key()), prefix); it->Next()) {
    v1::FunctionVersion version;
    if (!version.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      continue;  // one unreadable record does not hide the others
    }
    // Listing every function: only the latest of each (keys of one name are in version order).
    if (name.empty() && !out.empty() && out.back().name() == version.name()) out.pop_back();
    out.push_back(std::move(version));
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "read the function registry"));
  if (!name.empty() && out.empty()) {
    return absl::NotFoundError(absl::StrCat("no function named ", name));
  }
  return out;
}

absl::StatusOr<uint32_t> FunctionRegistry::Delete(const std::string& name) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(std::vector<v1::FunctionVersion> versions, List(name));
  rocksdb::WriteBatch batch;
  for (const v1::FunctionVersion& v : versions) batch.Delete(VersionKey(name, v.version()));
  rocksdb::WriteOptions write;
  write.sync = sync_;
  RETURN_IF_ERROR(FromRocks(db_->Write(write, &batch), "write the function registry"));
  return static_cast<uint32_t>(versions.size());
}

}  // namespace fanout::coordinator
