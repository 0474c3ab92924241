// The small built-ins: noop, sleep, fail, blob.
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/json_text.h"
#include "worker/builtins/builtins.h"

namespace fanout::worker {
namespace {

using nlohmann::json;

json ParseItem(absl::string_view item) { return ParseJson(item, "item").value_or(json()); }

class NoopHandler : public Handler {
 public:
  absl::StatusOr<std::string> Invoke(const Event& event, Context&) override {
    return std::string(event.item);
  }
};

class SleepHandler : public Handler {
 public:
  absl::StatusOr<std::string> Invoke(const Event& event, Context& context) override {
    json item = ParseItem(event.item);
    const json* source = nullptr;
    if (item.is_object() && item.contains("ms")) {
      source = &item["ms"];
    } else if (event.params.contains("ms")) {
      source = &event.params["ms"];
    }
    int64_t ms = 10;
    if (source != nullptr) {
      // A day at most: a float past int64 would not convert.
      if (!source->is_number() || source->get<double>() > 86'400'000) {
        return absl::InvalidArgumentError("ms: must be a number up to 86400000");
      }
      ms = source->get<int64_t>();
    }
    if (ms < 0) return absl::InvalidArgumentError("ms: must not be negative");
    const absl::Time end = absl::Now() + absl::Milliseconds(ms);
    for (absl::Time now = absl::Now(); now < end; now = absl::Now()) {
      if (context.cancelled()) return absl::CancelledError("sleep: cancelled");
      absl::SleepFor(std::min(end - now, absl::Milliseconds(50)));
    }
    return DumpJson(json{{"slept_ms", ms}});
  }
};

class FailHandler : public Handler {
 public:
  absl::StatusOr<std::string> Invoke(const Event& event, Context& context) override {
    json item = ParseItem(event.item);
    const json& spec = item.is_object() && item.contains("fail") ? item : event.params;
    if (!spec.contains("fail")) return DumpJson(json{{"ok", true}, {"attempt", context.attempt()}});
    if (!spec["fail"].is_string()) return absl::InvalidArgumentError("fail: must be a string");
    const std::string mode = spec["fail"].get<std::string>();
    if (spec.contains("times") && spec["times"].is_number_integer() &&
        context.attempt() > spec["times"].get<int64_t>()) {
      return DumpJson(json{{"ok", true}, {"attempt", context.attempt()}});
    }
    if (spec.contains("unless_file") && spec["unless_file"].is_string() &&
        access(spec["unless_file"].get<std::string>().c_str(), F_OK) == 0) {
      return DumpJson(json{{"ok", true}, {"attempt", context.attempt()}});
    }
    const std::string message = spec.contains("message") && spec["message"].is_string()
                                    ? spec["message"].get<std::string>()
                                    : absl::StrCat("failing as asked (", mode, ")");
    if (mode == "retryable") return absl::UnavailableError(message);
    if (mode == "fatal") return absl::FailedPreconditionError(message);
    if (mode == "timeout") return absl::DeadlineExceededError(message);
    if (mode == "invalid") return absl::InvalidArgumentError(message);
    return absl::InvalidArgumentError(absl::StrCat(
        "fail: unknown mode '", mode, "'; expected retryable, fatal, timeout or invalid"));
  }
};

class BlobHandler : public Handler {
 public:
  absl::StatusOr<std::string> Invoke(const Event& event, Context&) override {
    json item = ParseItem(event.item);
    const json& spec = item.is_object() && item.contains("bytes") ? item : event.params;
    if (!spec.contains("bytes") || !spec["bytes"].is_number_unsigned() ||
        spec["bytes"].get<uint64_t>() > kMaxBlobBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("bytes: expected an integer 0..", kMaxBlobBytes));
    }
    const size_t n = spec["bytes"].get<size_t>();
    std::string out(n < 2 ? 2 : n, 'x');  // the JSON string's quotes count
    out.front() = out.back() = '"';
    return out;
  }

 private:
  // Well past any result limit, well short of what would strain a worker's memory per slot.
  static constexpr uint64_t kMaxBlobBytes = uint64_t{128} << 20;
};

}  // namespace

std::unique_ptr<Handler> MakeBlobHandler() { return std::make_unique<BlobHandler>(); }
std::unique_ptr<Handler> MakeNoopHandler() { return std::make_unique<NoopHandler>(); }
std::unique_ptr<Handler> MakeSleepHandler() { return std::make_unique<SleepHandler>(); }
std::unique_ptr<Handler> MakeFailHandler() { return std::make_unique<FailHandler>(); }

}  // namespace fanout::worker
