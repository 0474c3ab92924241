#include "worker/functions/catalog_flags.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/random/random.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/coordinator_channel.h"
#include "glog/logging.h"
#include "worker/builtins/object_ref.h"
#include "worker/runtime/cgroup_limits.h"

ABSL_FLAG(std::string, cache_dir, "",
          "where functions' code is unpacked, one directory per worker (default: "
          "$XDG_CACHE_HOME/fanout/code/PID-RANDOM or ~/.cache/fanout/code/PID-RANDOM)");
ABSL_FLAG(uint64_t, cache_bytes, 2ull << 30,
          "unpacked code kept at most; least recently used bundles are removed first");
ABSL_FLAG(absl::Duration, runtime_idle, absl::Minutes(5),
          "a warm runtime that served nothing this long exits");
ABSL_FLAG(std::string, function_log_dir, "",
          "functions' output, one file per version, rotated at 8 MiB (default: beside the cache)");
ABSL_FLAG(std::string, limits, "auto",
          "memory limits through cgroups: auto (where writable, said in the log), required "
          "(refuse to start without), off");
ABSL_FLAG(
    std::string, sandbox, "auto",
    "users' functions in a bubblewrap sandbox (their code read-only, a private /tmp, no other "
    "file of the worker, as --function_user, every process gone with the sandbox): auto "
    "(where bubblewrap works, said in the log), required (refuse to start without), off");
ABSL_FLAG(std::string, function_user, "nobody", "the user sandboxed functions run as (not root)");
ABSL_FLAG(int, function_tmp_mb, 512, "size of a sandboxed function's private /tmp");
ABSL_FLAG(std::vector<std::string>, file_roots, {},
          "directories whose files the data built-ins (sha256, lines, sum) may read and "
          "builtin:count's trace_dir may write, DIR,... (none: no local files; `fanout dev`: the "
          "current directory); the code cache and function logs are never reachable");
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

// Removes the caches no worker holds: a worker keeps its cache's .lock locked while it runs, so
// a lock that can be taken is a gone worker's (process ids would not do: workers in other PID
// namespaces share the directory).
void SweepCachesOfGoneWorkers(const std::string& parent) {
  std::error_code error;
  const auto now = std::filesystem::file_time_type::clock::now();
  for (const auto& entry : std::filesystem::directory_iterator(parent, error)) {
    // A cache made just now may not be locked yet by the worker making it.
    if (now - entry.last_write_time(error) < std::chrono::minutes(1)) continue;
    const std::string lock = (entry.path() / ".lock").string();
    const int fd = ::open(lock.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) continue;  // being made, or not a cache
    const bool gone = ::flock(fd, LOCK_EX | LOCK_NB) == 0;
    if (gone) std::filesystem::remove_all(entry.path(), error);
    ::close(fd);
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
    const std::string& coordinator, const ClientSecurity& security, int runtimes,
    const std::vector<std::string>& also_forbidden) {
  absl::StatusOr<bool> enforce = EnforceLimits();
  if (!enforce.ok()) return enforce.status();
  FunctionCatalog::Options options;
  const std::string root = DefaultCacheRoot();
  options.cache_dir = absl::GetFlag(FLAGS_cache_dir);
  if (options.cache_dir.empty()) {
    // A directory per worker process (a cache is one process's), those of workers that are gone
    // removed first.
    SweepCachesOfGoneWorkers(root + "/code");
    absl::BitGen random;
    options.cache_dir = absl::StrCat(root, "/code/", ::getpid(), "-",
                                     absl::Hex(absl::Uniform<uint32_t>(random), absl::kZeroPad8));
  }
  options.cache_bytes = absl::GetFlag(FLAGS_cache_bytes);
  options.pool.max_runtimes = static_cast<size_t>(std::max(1, runtimes));
  options.pool.idle = absl::GetFlag(FLAGS_runtime_idle);
  options.pool.settings.enforce_limits = *enforce;
  std::string why_not;
  absl::StatusOr<SandboxSettings> sandbox = DetectSandbox(
      absl::GetFlag(FLAGS_sandbox), absl::GetFlag(FLAGS_function_user),
      static_cast<uint64_t>(std::max(1, absl::GetFlag(FLAGS_function_tmp_mb))) << 20, &why_not);
  if (!sandbox.ok()) return sandbox.status();
  if (sandbox->enabled) {
    LOG(INFO) << "functions run sandboxed (bubblewrap) as " << sandbox->user;
    // The sandbox shares the network: a coordinator without tokens would take a function's calls.
    if (security.token.empty()) {
      LOG(WARNING) << "this worker calls its coordinator without a token: if that coordinator's "
                      "auth is off, sandboxed functions can call it too, as an admin "
                      "(docs/security.md)";
    }
  } else {
    LOG(WARNING) << "functions run unsandboxed, as this worker's user (" << why_not
                 << "): they can read what the worker can; their environment is still their "
                    "own, their processes end with them, their limits hold";
  }
  options.pool.settings.sandbox = *sandbox;
  options.pool.settings.region = absl::GetFlag(FLAGS_region);
  options.pool.settings.log_dir = absl::GetFlag(FLAGS_function_log_dir);
  if (options.pool.settings.log_dir.empty()) options.pool.settings.log_dir = root + "/logs";
  std::vector<std::string> forbidden = {root, options.cache_dir, options.pool.settings.log_dir,
                                        absl::GetFlag(FLAGS_token_file),
                                        absl::GetFlag(FLAGS_tls_client_key)};
  forbidden.insert(forbidden.end(), also_forbidden.begin(), also_forbidden.end());
  absl::StatusOr<FileRoots> roots =
      FileRoots::Make(absl::GetFlag(FLAGS_file_roots), forbidden, "--file_roots");
  if (!roots.ok()) return roots.status();
  SetLocalFileRoots(std::move(*roots));
  auto channel = DialCoordinator(coordinator, security);
  return FunctionCatalog::Open(std::move(channel), std::move(options));
}

std::unique_ptr<HandlerRegistry> HandlersWithFunctions(FunctionCatalog& catalog) {
  std::unique_ptr<HandlerRegistry> handlers = BuiltinHandlers();
  handlers->SetResolver(
      [&catalog](absl::string_view function) { return catalog.Resolve(function); });
  return handlers;
}

}  // namespace fanout::worker
