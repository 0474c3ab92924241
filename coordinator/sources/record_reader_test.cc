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
  const std::string data = "1\n" + std::string(kMaxRecordBytes + 10, 'x') + "\n3\n";
  std::vector<SourceItem> items = ReadAll(false, data, 10, 1 << 20);
  ASSERT_EQ(items.size(), 3);
  EXPECT_EQ(items[0].json, "1");
  EXPECT_THAT(items[1].error.value_or(""), HasSubstr("longer than 1 MiB"));
  EXPECT_EQ(items[2].json, "3");
}

TEST(RecordReaderTest, EmptyManifestIsDoneAtOnce) {
  absl::StatusOr<SourceBatch> b = ReadManifest(false, "m", Serve(""), "", 10);
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(b->done);
  EXPECT_TRUE(b->items.empty());
}

}  // namespace
}  // namespace fanout::coordinator
