// builtin:sum — a reduce: reads the result manifest files of a job (the item is the manifest a
// reduce job gets, or any object with "results": {"files": [...]}) and adds up, over every
// result, each numeric field (or the result itself when it is a number). Over `lines` results it
// gives the total lines and bytes; over `sha256` the total bytes. Files may be local paths or
// s3://bucket/key; they are streamed, so memory stays flat however long the manifest.
#include "absl/strings/str_cat.h"
#include "common/json_text.h"
#include "worker/builtins/builtins.h"
#include "worker/builtins/object_ref.h"

namespace fanout::worker {
namespace {

using nlohmann::json;

// A result line longer than this is no manifest line fanout wrote (results are capped at 6 MiB).
constexpr size_t kMaxLineBytes = 16 << 20;

// Adds numbers keeping integers exact while both sides are integers.
void Add(json& total, const json& value) {
  if (total.is_null()) {
    total = value;
  } else if (total.is_number_integer() && value.is_number_integer()) {
    int64_t sum = 0;  // a sum past int64 goes on as a double instead of wrapping
    if (!__builtin_add_overflow(total.get<int64_t>(), value.get<int64_t>(), &sum)) {
      total = sum;
    } else {
      total = total.get<double>() + value.get<double>();
    }
  } else {
    total = total.get<double>() + value.get<double>();
  }
}

class Summer {
 public:
  // One manifest line: {"item": ..., "result": ...}.
  absl::Status Line(absl::string_view text) {
    if (text.empty()) return absl::OkStatus();
    const std::string where = absl::StrCat("manifest line ", lines_ + 1);
    absl::StatusOr<json> line = ParseJson(text, where);  // depth-limited: no recursion on garbage
    if (!line.ok()) return line.status();
    if (!line->is_object()) return absl::InvalidArgumentError(where + ": not a JSON object");
    ++lines_;
    auto result = line->find("result");
    if (result == line->end()) return absl::OkStatus();
    if (result->is_number()) Add(value_, *result);
    if (result->is_object()) {
      for (const auto& [key, v] : result->items()) {
        if (v.is_number()) Add(sums_[key], v);
      }
    }
    return absl::OkStatus();
  }

  json Result() const {
    json out{{"items", lines_}, {"sum", sums_.is_null() ? json::object() : sums_}};
    if (!value_.is_null()) out["value"] = value_;
    return out;
  }

 private:
  uint64_t lines_ = 0;
  json sums_;
  json value_;
};

class SumHandler : public Handler {
 public:
  absl::StatusOr<std::string> Invoke(const Event& event, Context& context) override {
    json item = ParseJson(event.item, "item").value_or(json());
    if (!item.is_object() || !item.contains("results") || !item["results"].is_object() ||
        !item["results"].contains("files") || !item["results"]["files"].is_array()) {
      return absl::InvalidArgumentError(
          "item: expected a manifest, {\"results\": {\"files\": [PATH or s3://bucket/key ...]}}");
    }
    Summer summer;
    for (const json& file : item["results"]["files"]) {
      absl::StatusOr<ObjectRef> ref = ParseObjectRef(DumpJson(file));
      if (!ref.ok()) return ref.status();
      std::string partial;  // a line cut by a chunk boundary
      absl::Status bad;
      absl::StatusOr<uint64_t> read = ReadObject(*ref, context, [&](absl::string_view chunk) {
        for (size_t nl; bad.ok() && (nl = chunk.find('\n')) != absl::string_view::npos;) {
          partial.append(chunk.data(), nl);
          bad = summer.Line(partial);
          partial.clear();
          chunk.remove_prefix(nl + 1);
        }
        partial.append(chunk.data(), chunk.size());
        if (bad.ok() && partial.size() > kMaxLineBytes) {  // a line never ends: memory stays flat
          bad = absl::InvalidArgumentError(
              absl::StrCat("a manifest line longer than ", kMaxLineBytes, " bytes"));
          partial.clear();
        }
      });
      if (!read.ok()) return read.status();
      if (bad.ok()) bad = summer.Line(partial);
      if (!bad.ok())
        return absl::InvalidArgumentError(absl::StrCat(ref->Name(), ": ", bad.message()));
    }
    return DumpJson(summer.Result());
  }
};

}  // namespace

std::unique_ptr<Handler> MakeSumHandler() { return std::make_unique<SumHandler>(); }

}  // namespace fanout::worker
