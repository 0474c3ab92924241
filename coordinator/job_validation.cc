#include "coordinator/job_validation.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/builtin_params.h"
#include "common/functions.h"
#include "common/json_text.h"
#include "common/proto_time.h"
#include "common/status_macros.h"
#include "common/utf8.h"
#include "coordinator/fan_in/manifest_sink.h"
#include "nlohmann/json.hpp"

namespace fanout::coordinator {
namespace {

absl::Status Bad(absl::string_view field, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", why));
}

absl::Status ValidateOptions(const v1::JobOptions& o) {
  if (o.batch_size() > kMaxBatchSize) {
    return Bad("options.batch_size", absl::StrCat(o.batch_size(), " is more than ", kMaxBatchSize));
  }
  if (o.max_attempts() > kMaxAttemptsLimit) {
    return Bad("options.max_attempts",
               absl::StrCat(o.max_attempts(), " is more than ", kMaxAttemptsLimit));
  }
  if (o.has_timeout() && FromProto(o.timeout()) <= absl::ZeroDuration()) {
    return Bad("options.timeout", "must be positive");
  }
  if (o.has_timeout() && FromProto(o.timeout()) > absl::Hours(24)) {
    return Bad("options.timeout",
               "at most 24h per invocation; long work continues from checkpoints");
  }
  if (o.has_backoff_initial() && FromProto(o.backoff_initial()) < absl::ZeroDuration()) {
    return Bad("options.backoff_initial", "must not be negative");
  }
  if (o.has_backoff_max() && o.has_backoff_initial() &&
      FromProto(o.backoff_max()) < FromProto(o.backoff_initial())) {
    return Bad("options.backoff_max", "must not be less than options.backoff_initial");
  }
  if (o.split_bytes() > 0 && o.split_bytes() < 1024) {
    return Bad("options.split_bytes", "at least 1024 bytes (or 0: no splitting)");
  }
  if (o.memory_mb() != 0 && (o.memory_mb() < 128 || o.memory_mb() > 10240)) {
    return Bad("options.memory_mb",
               absl::StrCat(o.memory_mb(), " is outside 128..10240 (AWS Lambda's range)"));
  }
  if (o.tolerated_failure_percent() < 0 || o.tolerated_failure_percent() > 100) {
    return Bad("options.tolerated_failure_percent", "must be within 0..100");
  }
  return absl::OkStatus();
}

// Keys are stored as RocksDB keys and shown in listings: text, and short enough to index.
absl::Status ValidateKey(absl::string_view key, absl::string_view field) {
  if (key.empty()) return Bad(field, "empty");
  if (key.size() > kMaxKeyBytes) {
    return Bad(field, absl::StrCat(key.size(), " bytes is more than ", kMaxKeyBytes));
  }
  return CheckUtf8(key, field);
}

absl::Status ValidateItemKeys(const v1::JobSpec& spec) {
  if (spec.item_keys_size() == 0) return absl::OkStatus();
  absl::StatusOr<nlohmann::json> items = ParseJson(spec.source(), "source");
  if (!items.ok()) return items.status();
  if (!items->is_array() || items->size() != static_cast<size_t>(spec.item_keys_size())) {
    return Bad(
        "item_keys",
        absl::StrCat("needs an inline JSON list source with one key per item (",
                     spec.item_keys_size(), " keys, ",
                     items->is_array() ? absl::StrCat(items->size(), " items") : "no list", ")"));
  }
  for (int i = 0; i < spec.item_keys_size(); ++i) {
    RETURN_IF_ERROR(ValidateKey(spec.item_keys(i), absl::StrCat("item_keys[", i, "]")));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateJobSpec(const v1::JobSpec& spec) {
  RETURN_IF_ERROR(ParseFunction(spec.function()).status());
  if (spec.options().split_bytes() > 0 && !absl::StartsWith(spec.source(), "dir:") &&
      !absl::StartsWith(spec.source(), "s3://")) {
    return Bad("options.split_bytes", "only dir: and s3:// sources split objects into ranges");
  }
  if (!spec.params_json().empty()) {
    absl::StatusOr<nlohmann::json> params = ParseJson(spec.params_json(), "params_json");
    if (!params.ok()) return params.status();
    if (!params->is_object()) return Bad("params_json", "must be a JSON object");
  }
  if (absl::StatusOr<FunctionSpec> f = ParseFunction(spec.function());
      f->runtime == FunctionSpec::Runtime::kBuiltin) {
    absl::StatusOr<nlohmann::json> params = spec.params_json().empty()
                                                ? nlohmann::json::object()
                                                : ParseJson(spec.params_json(), "params_json");
    RETURN_IF_ERROR(CheckBuiltinParams(f->name, *params));
  }
  if (!spec.idempotency_key().empty()) {
    RETURN_IF_ERROR(ValidateKey(spec.idempotency_key(), "idempotency_key"));
  }
  RETURN_IF_ERROR(ValidateResultsSpec(spec.results()));
  RETURN_IF_ERROR(ValidateItemKeys(spec));
  if (!spec.reduce().empty()) {
    absl::StatusOr<FunctionSpec> reduce = ParseFunction(spec.reduce());
    if (!reduce.ok()) return Bad("reduce", reduce.status().message());
    if (reduce->runtime != FunctionSpec::Runtime::kBuiltin) {
      return Bad("reduce", "must be a built-in (builtin:NAME), which runs in the coordinator");
    }
    if (spec.results().empty() || spec.results() == "store") {
      return Bad("reduce",
                 "needs results=jsonl:PATH or s3://bucket/prefix: the manifests it reads");
    }
  }
  return ValidateOptions(spec.options());
}

void NormalizeJobSpec(v1::JobSpec* spec) {
  if (spec->params_json().empty()) spec->set_params_json("{}");
  v1::JobOptions* o = spec->mutable_options();
  if (o->batch_size() == 0) o->set_batch_size(1);
}

}  // namespace fanout::coordinator
