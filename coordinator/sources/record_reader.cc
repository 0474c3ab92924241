#include "coordinator/sources/record_reader.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
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
  ManifestReader(bool csv, const std::string& name, const ReadBlock& read, ManifestCursor cursor)
      : csv_(csv), name_(name), read_(read), cursor_(std::move(cursor)) {}

  absl::StatusOr<SourceBatch> Read(size_t max) {
    SourceBatch out;
    while (out.items.size() < max) {
      absl::StatusOr<bool> got = NextRecord();
      if (!got.ok()) return got.status();
      if (!*got) {
        out.done = true;
        break;
      }
      Take(&out);
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
      if (buffer_.size() > kMaxRecordBytes + kBlock) {
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

  void Take(SourceBatch* out) {
    const std::string where = absl::StrCat(name_, " line ", record_line_, ": ");
    // A bad record's item is its text (cut short), so that the failure lists what it was.
    const std::string raw =
        json(record_.substr(0, 1024)).dump(-1, ' ', false, json::error_handler_t::replace);
    if (overlong_ || record_.size() > kMaxRecordBytes) {
      overlong_ = false;
      out->items.push_back({raw, absl::StrCat(where, "longer than 1 MiB")});
      return;
    }
    if (!csv_) {
      if (absl::StripAsciiWhitespace(record_).empty()) return;  // blank lines are no items
      json item = json::parse(record_, nullptr, false);
      if (item.is_discarded()) {
        out->items.push_back({raw, absl::StrCat(where, "not valid JSON")});
      } else {
        out->items.push_back({item.dump(), std::nullopt});
      }
      return;
    }
    std::vector<std::string> fields;
    const bool closed = ParseCsvRecord(record_, &fields);
    if (cursor_.columns.empty()) {  // the header
      cursor_.columns = fields;
      return;
    }
    if (record_.empty()) return;
    if (!closed || fields.size() != cursor_.columns.size()) {
      out->items.push_back(
          {raw, absl::StrCat(where, closed ? "" : "unclosed quote; ", "expected ",
                             cursor_.columns.size(), " fields, found ", fields.size())});
      return;
    }
    json item = json::object();
    for (size_t i = 0; i < fields.size(); ++i) item[cursor_.columns[i]] = fields[i];
    out->items.push_back({item.dump(), std::nullopt});
  }

  const bool csv_;
  const std::string& name_;
  const ReadBlock& read_;
  ManifestCursor cursor_;  // just past the last record taken
  std::string buffer_;     // bytes from cursor_.offset - pos_ on
  size_t pos_ = 0;         // where the next record starts in buffer_
  size_t scan_from_ = 0;
  bool eof_ = false;
  bool overlong_ = false;
  std::string record_;
  uint64_t record_line_ = 0;
};

}  // namespace

std::string ManifestCursor::Encode() const {
  return json{{"offset", offset}, {"line", line}, {"columns", columns}}.dump();
}

ManifestCursor ManifestCursor::Decode(absl::string_view text) {
  ManifestCursor c;
  json j = json::parse(text.begin(), text.end(), nullptr, false);
  if (!j.is_object()) return c;
  c.offset = j.value("offset", uint64_t{0});
  c.line = j.value("line", uint64_t{1});
  if (j.contains("columns") && j["columns"].is_array()) {
    for (const json& col : j["columns"]) c.columns.push_back(col.get<std::string>());
  }
  return c;
}

absl::StatusOr<SourceBatch> ReadManifest(bool csv, const std::string& name, const ReadBlock& read,
                                         absl::string_view cursor, size_t max) {
  return ManifestReader(csv, name, read, ManifestCursor::Decode(cursor)).Read(max);
}

}  // namespace fanout::coordinator
