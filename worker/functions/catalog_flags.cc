#include "worker/functions/catalog_flags.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "glog/logging.h"
#include "worker/runtime/cgroup_limits.h"

ABSL_FLAG(std::string, cache_dir, "",
          "where functions' code is unpacked, one directory per worker (default: "
          "$XDG_CACHE_HOME/fanout/code/PID or ~/.cache/fanout/code/PID)");
ABSL_FLAG(uint64_t, cache_bytes, 2ull << 30,
          "unpacked code kept at most; least recently used bundles are removed first");
ABSL_FLAG(absl::Duration, runtime_idle, absl::Minutes(5),
          "a warm runtime that served nothing this long exits");
ABSL_FLAG(std::string, function_log_dir, "",
          "functions' output, one file per version, rotated at 8 MiB (default: beside the cache)");
ABSL_FLAG(std::string, limits, "auto",
          "memory limits through cgroups: auto (where writable, said in the log), required "
          "(refuse to start without), off");
ABSL_FLAG(std::string, region, "us-east-1", "AWS_REGION as functions see it");

namespace fanout::worker {
namespace {

// $XDG_CACHE_HOME/fanout or ~/.cache/fanout; where neither can be made (a read-only home),
// TMPDIR/fanout-cache-UID: a worker never fails to start for want of a cache.
std::string DefaultCacheRoot() {
  std::vector<std::string> candidates;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg != '\0') {
    candidates.push_back(absl::StrCat(xdg, "/fanout"));
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    candidates.push_back(absl::StrCat(home, "/.cache/fanout"));
  }
  for (const std::string& root : candidates) {
    std::error_code error;
    std::filesystem::create_directories(root, error);
    if (!error && ::access(root.c_str(), W_OK) == 0) return root;
  }
  std::error_code error;
  return absl::StrCat(std::filesystem::temp_directory_path(error).string(), "/fanout-cache-",
                      ::getuid());
}

void SweepCachesOfGoneWorkers(const std::string& parent) {
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(parent, error)) {
    int pid = 0;
    if (absl::SimpleAtoi(entry.path().filename().string(), &pid) && pid > 0 &&
        ::kill(pid, 0) != 0 && errno == ESRCH) {
      std::filesystem::remove_all(entry.path(), error);
    }
  }
}

absl::StatusOr<bool> EnforceLimits() {
  const std::string mode = absl::GetFlag(FLAGS_limits);
  if (mode == "off") {
    LOG(WARNING) << "--limits=off: functions' memory is not limited";
    return false;
  }
  if (mode != "auto" && mode != "required") {
    return absl::InvalidArgumentError(
        absl::StrCat("--limits: '", mode, "' is not auto, required or off"));
  }
  absl::StatusOr<std::unique_ptr<CgroupLimits>> probe =
      CgroupLimits::Create(absl::StrCat("fanout-probe-", ::getpid()), 128);
  if (probe.ok()) {
    if (const int swept = CgroupLimits::SweepOrphans(); swept > 0) {
      LOG(WARNING) << "ended what " << swept
                   << " runtime groups of workers that are gone had left running";
    }
    return true;
  }
  if (mode == "required") {
    return absl::FailedPreconditionError(
        absl::StrCat("--limits=required: ", probe.status().message()));
  }
  LOG(WARNING) << "functions' memory is NOT limited: " << probe.status().message()
               << " (run as root where cgroup v1 memory or v2 is writable; --limits=required "
                  "refuses to start without)";
  return false;
}

}  // namespace

absl::StatusOr<std::unique_ptr<FunctionCatalog>> FunctionCatalogFromFlags(
    const std::string& coordinator, int runtimes) {
  absl::StatusOr<bool> enforce = EnforceLimits();
  if (!enforce.ok()) return enforce.status();
  FunctionCatalog::Options options;
  const std::string root = DefaultCacheRoot();
  options.cache_dir = absl::GetFlag(FLAGS_cache_dir);
  if (options.cache_dir.empty()) {
    // A directory per worker process (a cache is one process's), those of workers that are gone
    // removed first.
    SweepCachesOfGoneWorkers(root + "/code");
    options.cache_dir = absl::StrCat(root, "/code/", ::getpid());
  }
  options.cache_bytes = absl::GetFlag(FLAGS_cache_bytes);
  options.pool.max_runtimes = static_cast<size_t>(std::max(1, runtimes));
  options.pool.idle = absl::GetFlag(FLAGS_runtime_idle);
  options.pool.settings.enforce_limits = *enforce;
  options.pool.settings.region = absl::GetFlag(FLAGS_region);
  options.pool.settings.log_dir = absl::GetFlag(FLAGS_function_log_dir);
  if (options.pool.settings.log_dir.empty()) options.pool.settings.log_dir = root + "/logs";
  auto channel = grpc::CreateChannel(coordinator, grpc::InsecureChannelCredentials());
  return FunctionCatalog::Open(std::move(channel), std::move(options));
}

std::unique_ptr<HandlerRegistry> HandlersWithFunctions(FunctionCatalog& catalog) {
  std::unique_ptr<HandlerRegistry> handlers = BuiltinHandlers();
  handlers->SetResolver(
      [&catalog](absl::string_view function) { return catalog.Resolve(function); });
  return handlers;
}

}  // namespace fanout::worker
