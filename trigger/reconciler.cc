#include "trigger/reconciler.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "common/utf8.h"
#include "glog/logging.h"
#include "trigger/s3_event.h"

namespace fanout::trigger {
namespace {

// ListObjectsV2's LastModified, e.g. 2026-11-27T22:49:19.028Z; InfiniteFuture if unreadable, so
// that an object is never skipped for a date this code cannot read.
absl::Time LastModified(const std::string& text) {
  absl::Time t;
  std::string error;
  if (absl::ParseTime("%Y-%m-%d%ET%H:%M:%E*SZ", text, &t, &error)) return t;
  return absl::InfiniteFuture();
}

}  // namespace

Reconciler::Reconciler(const TriggerConfig& config, JobSubmitter& submitter, const s3::S3Client& s3)
    : config_(config), submitter_(submitter), s3_(s3) {}

Reconciler::~Reconciler() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void Reconciler::Start() {
  thread_ = std::thread([this] { Loop(); });
}

// Objects are listed with their versions (ListObjectVersions works on any bucket): an event of a
// versioned bucket carries the version id, and the job of its reconciliation must have the very
// same key and item, or every object would run twice. Only current versions are reconciled.
absl::StatusOr<Reconciler::Pass> Reconciler::RunOnce(const Rule& rule) {
  Pass pass;
  const absl::Time since = absl::Now() - rule.reconcile.lookback;
  std::string key_marker, version_marker;
  do {
    absl::StatusOr<s3::VersionPage> page =
        s3_.ListVersions(rule.filter.bucket, rule.filter.prefix, key_marker, version_marker);
    if (!page.ok()) return page.status();
    for (const s3::ObjectVersion& v : page->versions) {
      if (!v.is_latest) continue;
      ++pass.listed;
      const s3::ObjectInfo& object = v.object;
      if (!IsValidUtf8(object.key) || !IsValidUtf8(object.etag) || !IsValidUtf8(v.version_id)) {
        // An XML character reference to a surrogate, say: no job can name it.
        LOG(WARNING) << "reconcile " << rule.name << ": skipped \"" << Printable(object.key)
                     << "\": not UTF-8";
        continue;
      }
      // "null" is the version of what was written while versioning was off: its events carry no id.
      S3Event event{"ObjectCreated:Put", rule.filter.bucket,
                    object.key,          object.size,
                    object.etag,         v.version_id == "null" ? "" : v.version_id};
      if (LastModified(object.last_modified) < since || !Matches(rule.filter, event)) continue;
      absl::StatusOr<Submitted> submitted = submitter_.Submit(S3EventJob(rule, event));
      if (!submitted.ok()) return submitted.status();
      if (submitted->created) ++pass.submitted;
    }
    key_marker = page->next_key_marker;
    version_marker = page->next_version_marker;
  } while (!key_marker.empty());
  return pass;
}

void Reconciler::Loop() {
  std::map<std::string, absl::Time> due;
  while (true) {
    const absl::Time now = absl::Now();
    absl::Time next = now + absl::Minutes(1);
    for (const Rule& rule : config_.rules) {
      if (!rule.reconcile.enabled) continue;
      absl::Time& at = due.try_emplace(rule.name, now).first->second;
      if (at <= now) {
        absl::StatusOr<Pass> pass = RunOnce(rule);
        if (!pass.ok()) {
          LOG(WARNING) << "reconcile " << rule.name << ": " << pass.status();
        } else if (pass->submitted > 0) {
          LOG(INFO) << "reconcile " << rule.name << ": " << pass->submitted << " missed objects of "
                    << pass->listed << " listed submitted";
        }
        at = absl::Now() + rule.reconcile.every;
      }
      next = std::min(next, at);
    }
    absl::MutexLock lock(&mu_);
    auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_; };
    if (mu_.AwaitWithTimeout(absl::Condition(&stopping), next - absl::Now())) return;
  }
}

}  // namespace fanout::trigger
