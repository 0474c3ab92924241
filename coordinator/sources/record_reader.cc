#include "coordinator/sources/record_reader.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/json_text.h"
#include "common/status_macros.h"
#include "common/utf8.h"
#include "nlohmann/json.hpp"

namespace fanout::coordinator {
namespace {

using nlohmann::json;

// Splits one CSV record into its fields; false if a quoted field is left open.
bool ParseCsvRecord(absl::string_view record, std::vector<std::string>* fields) {
  fields->clear();
  std::string field;
  bool quoted = false, was_quoted = false;
  for (size_t i = 0; i < record.size(); ++i) {
    const char c = record[i];
    if (quoted) {
      if (c == '"' && i + 1 < record.size() && record[i + 1] == '"') {
        field.push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field.push_back(c);
      }
    } else if (c == '"' && field.empty() && !was_quoted) {
      quoted = was_quoted = true;
    } else if (c == ',') {
      fields->push_back(std::move(field));
      field.clear();
      was_quoted = false;
    } else {
      field.push_back(c);
    }
  }
  fields->push_back(std::move(field));
  return !quoted;
}

// Where the record starting at `from` ends (its '\n'), or npos if not within `data`.
size_t RecordEnd(absl::string_view data, size_t from, bool csv) {
  if (!csv) return data.find('\n', from);
  bool quoted = false;
  for (size_t i = from; i < data.size(); ++i) {
    if (data[i] == '"') quoted = !quoted;
    if (data[i] == '\n' && !quoted) return i;
  }
  return absl::string_view::npos;
}

class ManifestReader {
 public:
  ManifestReader(bool csv, const std::string& name, const ReadBlock& read, ManifestCursor cursor,
                 size_t max_item_bytes)
      : csv_(csv),
        name_(name),
        read_(read),
        cursor_(std::move(cursor)),
        max_item_bytes_(max_item_bytes) {}

  absl::StatusOr<SourceBatch> Read(size_t max) {
    SourceBatch out;
    while (out.items.size() < max) {
      absl::StatusOr<bool> got = NextRecord();
      if (!got.ok()) return got.status();
      if (!*got) {
        out.done = true;
        break;
      }
      RETURN_IF_ERROR(Take(&out));
    }
    out.cursor = cursor_.Encode();
    return out;
  }

 private:
  static constexpr size_t kBlock = 1 << 20;

  // Finds the next record in record_; false at the end of the manifest.
  absl::StatusOr<bool> NextRecord() {
    size_t end;
    while ((end = RecordEnd(buffer_, scan_from_, csv_)) == absl::string_view::npos) {
      if (eof_) {
        if (buffer_.size() == pos_) return false;
        end = buffer_.size();  // the last record has no newline
        break;
      }
      // Drop the records taken once per block, not once per record: reading stays linear.
      buffer_.erase(0, pos_);
      pos_ = 0;
      scan_from_ = csv_ ? 0 : buffer_.size();  // CSV rescans for quote state
      absl::StatusOr<std::string> block = read_(cursor_.offset + buffer_.size(), kBlock);
      if (!block.ok()) return block.status();
      if (block->empty()) eof_ = true;
      buffer_ += *block;
      if (buffer_.size() > max_item_bytes_ + kBlock) {
        overlong_ = true;  // keep reading to its end, but not keeping it
        scan_from_ = 0;
        cursor_.offset += buffer_.size();
        cursor_.line += std::count(buffer_.begin(), buffer_.end(), '\n');
        buffer_.clear();
      }
    }
    const size_t consumed = std::min(end + 1, buffer_.size()) - pos_;
    record_.assign(buffer_, pos_, end - pos_);
    if (!record_.empty() && record_.back() == '\r') record_.pop_back();
    record_line_ = cursor_.line;
    cursor_.offset += consumed;
    cursor_.line += std::count(buffer_.begin() + pos_, buffer_.begin() + pos_ + consumed, '\n');
    pos_ += consumed;
    scan_from_ = pos_;
    return true;
  }

  // A bad record's item is its text (cut short, bad bytes replaced), so that the failure shows
  // what it was.
  void Fail(SourceBatch* out, absl::string_view why) {
    std::string raw = ReplaceInvalidUtf8(absl::string_view(record_).substr(0, 1024));
    TruncateUtf8(&raw, 1024);
    out->items.push_back({DumpJson(json(std::move(raw))), std::string(why)});
  }

  void Add(SourceBatch* out, const json& item) {
    std::string text = DumpJson(item);
    if (text.size() > max_item_bytes_) {
      return Fail(out, absl::StrCat(Where(), ": the item is ", text.size(),
                                    " bytes as JSON, over the limit of ", max_item_bytes_,
                                    " (--max_item_bytes)"));
    }
    out->items.push_back({std::move(text), std::nullopt});
  }

  std::string Where() const { return absl::StrCat(name_, " line ", record_line_); }

  absl::Status Take(SourceBatch* out) {
    if (overlong_ || record_.size() > max_item_bytes_) {
      overlong_ = false;
      Fail(out,
           absl::StrCat(Where(), ": longer than ", max_item_bytes_, " bytes (--max_item_bytes)"));
      return absl::OkStatus();
    }
    if (!csv_) {
      if (absl::StripAsciiWhitespace(record_).empty()) return absl::OkStatus();  // no item
      absl::StatusOr<json> item = ParseJson(record_, Where());
      if (item.ok()) {
        Add(out, *item);
      } else {
        Fail(out, item.status().message());
      }
      return absl::OkStatus();
    }
    return TakeCsv(out);
  }

  absl::Status TakeCsv(SourceBatch* out) {
    const absl::Status utf8 = CheckUtf8(record_, Where());
    std::vector<std::string> fields;
    const bool closed = ParseCsvRecord(record_, &fields);
    if (cursor_.columns.empty()) return TakeHeader(utf8, closed, std::move(fields));
    if (record_.empty()) return absl::OkStatus();
    if (!utf8.ok()) {
      Fail(out, utf8.message());
    } else if (!closed || fields.size() != cursor_.columns.size()) {
      Fail(out, absl::StrCat(Where(), ": ", closed ? "" : "unclosed quote; ", "expected ",
                             cursor_.columns.size(), " fields, found ", fields.size()));
    } else {
      json item = json::object();
      for (size_t i = 0; i < fields.size(); ++i) item[cursor_.columns[i]] = std::move(fields[i]);
      Add(out, item);
    }
    return absl::OkStatus();
  }

  // Without a readable header no row means anything: the source fails.
  absl::Status TakeHeader(const absl::Status& utf8, bool closed, std::vector<std::string> fields) {
    if (!utf8.ok())
      return absl::InvalidArgumentError(absl::StrCat(utf8.message(), " (the header)"));
    if (!closed) {
      return absl::InvalidArgumentError(
          absl::StrCat(Where(), ": the header has an unclosed quote"));
    }
    absl::flat_hash_set<absl::string_view> seen;
    for (const std::string& column : fields) {
      if (!seen.insert(column).second) {
        return absl::InvalidArgumentError(
            absl::StrCat(Where(), ": the header names column '", column, "' twice"));
      }
    }
    cursor_.columns = std::move(fields);
    return absl::OkStatus();
  }

  const bool csv_;
  const std::string& name_;
  const ReadBlock& read_;
  ManifestCursor cursor_;  // just past the last record taken
  const size_t max_item_bytes_;
  std::string buffer_;  // bytes from cursor_.offset - pos_ on
  size_t pos_ = 0;      // where the next record starts in buffer_
  size_t scan_from_ = 0;
  bool eof_ = false;
  bool overlong_ = false;
  std::string record_;
  uint64_t record_line_ = 0;
};

}  // namespace

std::string ManifestCursor::Encode() const {
  return DumpJson(json{{"offset", offset}, {"line", line}, {"columns", columns}});
}

ManifestCursor ManifestCursor::Decode(absl::string_view text) {
  ManifestCursor c;
  absl::StatusOr<json> parsed = ParseJson(text, "cursor");
  if (!parsed.ok() || !parsed->is_object()) return c;
  const json& j = *parsed;
  if (j.contains("offset") && j["offset"].is_number_unsigned()) c.offset = j["offset"];
  if (j.contains("line") && j["line"].is_number_unsigned()) c.line = j["line"];
  if (j.contains("columns") && j["columns"].is_array()) {
    for (const json& col : j["columns"]) {
      if (col.is_string()) c.columns.push_back(col.get<std::string>());
    }
  }
  return c;
}

absl::StatusOr<SourceBatch> ReadManifest(bool csv, const std::string& name, const ReadBlock& read,
                                         absl::string_view cursor, size_t max,
                                         size_t max_item_bytes) {
  return ManifestReader(csv, name, read, ManifestCursor::Decode(cursor), max_item_bytes).Read(max);
}

}  // namespace fanout::coordinator
