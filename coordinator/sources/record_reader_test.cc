#include "coordinator/sources/record_reader.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fanout::coordinator {
namespace {

using ::testing::HasSubstr;

// Serves `data` in blocks of at most `block` bytes, as a file or ranged GETs would.
ReadBlock Serve(const std::string& data, size_t block = 1 << 20) {
  return [data, block](uint64_t offset, size_t max) -> absl::StatusOr<std::string> {
    if (offset >= data.size()) return std::string();
    return data.substr(offset, std::min(max, block));
  };
}

// Reads everything, `step` items at a time, resuming from each cursor.
std::vector<SourceItem> ReadAll(bool csv, const std::string& data, size_t step, size_t block) {
  std::vector<SourceItem> all;
  std::string cursor;
  for (int guard = 0; guard < 1000; ++guard) {
    absl::StatusOr<SourceBatch> b = ReadManifest(csv, "m", Serve(data, block), cursor, step);
    EXPECT_TRUE(b.ok()) << b.status();
    for (SourceItem& i : b->items) all.push_back(std::move(i));
    cursor = b->cursor;
    if (b->done) break;
  }
  return all;
}

TEST(RecordReaderTest, JsonlLinesResumeExactlyAcrossCursorsAndBlocks) {
  const std::string data = "{\"a\":1}\n\n  \"two\"  \r\n[3]\nnot json\n{\"last\":true}";
  for (size_t block : {size_t{3}, size_t{7}, size_t{1 << 20}}) {
    std::vector<SourceItem> items = ReadAll(false, data, 2, block);
    ASSERT_EQ(items.size(), 5) << "block " << block;
    EXPECT_EQ(items[0].json, "{\"a\":1}");
    EXPECT_EQ(items[1].json, "\"two\"");
    EXPECT_EQ(items[2].json, "[3]");
    ASSERT_TRUE(items[3].error.has_value());
    EXPECT_THAT(*items[3].error, HasSubstr("m line 5: not valid JSON"));
    EXPECT_EQ(items[4].json, "{\"last\":true}");
  }
}

TEST(RecordReaderTest, CsvRecordsBecomeObjectsNamedByTheHeader) {
  const std::string data =
      "id,name,note\n1,plain,x\n2,\"with, comma\",\"say "
      "\"\"hi\"\"\"\n3,\"two\nlines\",y\n4,short\n";
  std::vector<SourceItem> items = ReadAll(true, data, 1, 5);
  ASSERT_EQ(items.size(), 4);
  EXPECT_EQ(items[0].json, R"({"id":"1","name":"plain","note":"x"})");
  EXPECT_EQ(items[1].json, R"({"id":"2","name":"with, comma","note":"say \"hi\""})");
  EXPECT_EQ(items[2].json, R"({"id":"3","name":"two\nlines","note":"y"})");
  ASSERT_TRUE(items[3].error.has_value());
  EXPECT_THAT(*items[3].error, HasSubstr("line 6: expected 3 fields, found 2"));
}

TEST(RecordReaderTest, OverlongRecordsFailAloneAndReadingGoesOn) {
  const std::string data = "1\n" + std::string(kDefaultMaxItemBytes + 10, 'x') + "\n3\n";
  std::vector<SourceItem> items = ReadAll(false, data, 10, 1 << 20);
  ASSERT_EQ(items.size(), 3);
  EXPECT_EQ(items[0].json, "1");
  EXPECT_THAT(items[1].error.value_or(""),
              HasSubstr("m line 2: longer than 1048576 bytes (--max_item_bytes)"));
  EXPECT_EQ(items[2].json, "3");
}

TEST(RecordReaderTest, ItemsOverTheItemLimitFailAlone) {
  // 40 bytes of CSV become a bigger JSON object (every field is named): the limit is on the item.
  const std::string data = "aaaaaaaaaa,bbbbbbbbbb\n1,2\n" + std::string(30, 'x') + ",y\n";
  absl::StatusOr<SourceBatch> b = ReadManifest(true, "csv:m", Serve(data), "", 10, 40);
  ASSERT_TRUE(b.ok()) << b.status();
  ASSERT_EQ(b->items.size(), 2);
  EXPECT_FALSE(b->items[0].error.has_value());
  EXPECT_THAT(b->items[1].error.value_or(""),
              HasSubstr("csv:m line 3: the item is 64 bytes as JSON, over the limit of 40"));
}

TEST(RecordReaderTest, Latin1CsvRowFailsAloneNamingFileAndLine) {
  const std::string data = "name,city\nalice,Z\xFCrich\nbob,Bern\n";
  std::vector<SourceItem> items = ReadAll(true, data, 10, 1 << 20);
  ASSERT_EQ(items.size(), 2);
  ASSERT_TRUE(items[0].error.has_value());
  EXPECT_THAT(*items[0].error, HasSubstr("m line 2: not valid UTF-8 (byte 0xFC at offset 7"));
  EXPECT_EQ(items[0].json, "\"alice,Z\xEF\xBF\xBDrich\"");  // shown, never re-read
  EXPECT_EQ(items[1].json, R"({"city":"Bern","name":"bob"})");
}

TEST(RecordReaderTest, BadHeaderFailsTheWholeSource) {
  absl::StatusOr<SourceBatch> latin1 =
      ReadManifest(true, "csv:m", Serve("n\xE4me,x\n1,2\n"), "", 9);
  EXPECT_EQ(latin1.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(latin1.status().message(), HasSubstr("csv:m line 1: not valid UTF-8"));
  EXPECT_THAT(latin1.status().message(), HasSubstr("(the header)"));
  absl::StatusOr<SourceBatch> twice = ReadManifest(true, "csv:m", Serve("a,b,a\n1,2,3\n"), "", 9);
  EXPECT_EQ(twice.status().message(), "csv:m line 1: the header names column 'a' twice");
}

TEST(RecordReaderTest, JsonlLinesThatAreNotTextOrTooDeepFailAlone) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const std::string data = "1\n\"Z\xFCrich\"\n" + deep + "\n[[1]]\n";
  std::vector<SourceItem> items = ReadAll(false, data, 10, 4096);
  ASSERT_EQ(items.size(), 4);
  EXPECT_EQ(items[0].json, "1");
  EXPECT_THAT(items[1].error.value_or(""), HasSubstr("m line 2: not valid UTF-8"));
  EXPECT_THAT(items[2].error.value_or(""),
              HasSubstr("m line 3: nested deeper than 64 levels of lists and objects"));
  EXPECT_EQ(items[2].json.size(), 1026u);  // the first KiB of the line, quoted
  EXPECT_EQ(items[3].json, "[[1]]");
}

TEST(RecordReaderTest, AForeignCursorStartsFromTheBeginning) {
  for (const char* cursor : {"not json", R"({"offset":"x","columns":[1,2]})", "[[[[["}) {
    absl::StatusOr<SourceBatch> b = ReadManifest(false, "m", Serve("1\n2\n"), cursor, 9);
    ASSERT_TRUE(b.ok()) << cursor;
    EXPECT_EQ(b->items.size(), 2u) << cursor;
  }
}

TEST(RecordReaderTest, EmptyManifestIsDoneAtOnce) {
  absl::StatusOr<SourceBatch> b = ReadManifest(false, "m", Serve(""), "", 10);
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(b->done);
  EXPECT_TRUE(b->items.empty());
}

}  // namespace
}  // namespace fanout::coordinator
