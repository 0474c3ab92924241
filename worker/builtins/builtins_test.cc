#include "worker/builtins/builtins.h"

#include <filesystem>
#include <fstream>

#include "common/functions.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "worker/builtins/object_ref.h"
#include "worker/handler_registry.h"

namespace fanout::worker {
namespace {

using nlohmann::json;

class BuiltinsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string tmp = std::getenv("TEST_TMPDIR");
    std::filesystem::create_directories(tmp + "/private");
    SetLocalFileRoots(*FileRoots::Make({tmp}, {tmp + "/private"}, "--file_roots"));
  }
  void TearDown() override { SetLocalFileRoots(FileRoots()); }

  absl::StatusOr<std::string> Invoke(const std::string& function, const std::string& item,
                                     json params = json::object(), uint32_t attempt = 1) {
    Handler* handler = registry_->Find(function);
    if (handler == nullptr) return absl::NotFoundError(function);
    Context::Setup setup;
    setup.request_id = "req";
    setup.deadline = clock_.Now() + absl::Minutes(1);
    setup.attempt = attempt;
    setup.cancelled = cancelled_;
    Context context(clock_, std::move(setup));
    return handler->Invoke(Event{item, params, "job-1", 0, 0}, context);
  }

  std::unique_ptr<HandlerRegistry> registry_ = BuiltinHandlers();
  FakeClock clock_;
  std::shared_ptr<std::atomic<bool>> cancelled_ = std::make_shared<std::atomic<bool>>(false);
};

TEST_F(BuiltinsTest, EveryAdvertisedBuiltinIsRegisteredAndNothingElse) {
  std::vector<std::string> expected;
  for (const std::string& name : BuiltinFunctionNames()) expected.push_back("builtin:" + name);
  EXPECT_EQ(registry_->Functions(), expected);
}

TEST_F(BuiltinsTest, NoopEchoesTheItem) {
  EXPECT_EQ(*Invoke("builtin:noop", R"({"a":1})"), R"({"a":1})");
}

TEST_F(BuiltinsTest, SleepTakesMsFromTheItemThenTheParams) {
  EXPECT_EQ(json::parse(*Invoke("builtin:sleep", R"({"ms": 1})"))["slept_ms"], 1);
  EXPECT_EQ(json::parse(*Invoke("builtin:sleep", "7", {{"ms", 2}}))["slept_ms"], 2);
  EXPECT_EQ(json::parse(*Invoke("builtin:sleep", "7"))["slept_ms"], 10);
  EXPECT_EQ(Invoke("builtin:sleep", R"({"ms": -1})").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(BuiltinsTest, SleepStopsWhenCancelled) {
  cancelled_->store(true);
  EXPECT_EQ(Invoke("builtin:sleep", R"({"ms": 60000})").status().code(),
            absl::StatusCode::kCancelled);
}

TEST_F(BuiltinsTest, FailFailsAsTheItemSays) {
  EXPECT_EQ(Invoke("builtin:fail", R"({"fail": "retryable"})").status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(Invoke("builtin:fail", R"({"fail": "fatal"})").status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Invoke("builtin:fail", R"({"fail": "timeout"})").status().code(),
            absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(Invoke("builtin:fail", R"({"fail": "invalid"})").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Invoke("builtin:fail", R"({"fail": "sideways"})").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Invoke("builtin:fail", "1").ok());
  EXPECT_EQ(Invoke("builtin:fail", "1", {{"fail", "fatal"}}).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(BuiltinsTest, FailSucceedsAfterItsTimes) {
  const std::string item = R"({"fail": "retryable", "times": 2})";
  EXPECT_FALSE(Invoke("builtin:fail", item, json::object(), 2).ok());
  EXPECT_TRUE(Invoke("builtin:fail", item, json::object(), 3).ok());
}

TEST_F(BuiltinsTest, Sha256HashesAFile) {
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/abc.txt";
  std::ofstream(path) << "abc";
  json result = json::parse(*Invoke("builtin:sha256", json(path).dump()));
  EXPECT_EQ(result["sha256"], "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(result["bytes"], 3);
  EXPECT_TRUE(Invoke("builtin:sha256", json{{"path", path}}.dump()).ok());
}

TEST_F(BuiltinsTest, Sha256OfARange) {
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/range.txt";
  std::ofstream(path) << "xxabcxx";
  json result = json::parse(*Invoke(
      "builtin:sha256", json{{"path", path}, {"range", {{"first", 2}, {"last", 4}}}}.dump()));
  EXPECT_EQ(result["sha256"], "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(result["bytes"], 3);
}

TEST_F(BuiltinsTest, LinesCountsRecordsOfAFile) {
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/lines.txt";
  std::ofstream(path) << "a\nb\nc";
  EXPECT_EQ(json::parse(*Invoke("builtin:lines", json(path).dump()))["lines"], 3);
  std::ofstream(path) << "a\nb\n";
  EXPECT_EQ(json::parse(*Invoke("builtin:lines", json(path).dump()))["lines"], 2);
  json ranged = json::parse(*Invoke(
      "builtin:lines", json{{"path", path}, {"range", {{"first", 0}, {"last", 1}}}}.dump()));
  EXPECT_EQ(ranged["newlines"], 1);
}

TEST_F(BuiltinsTest, SumTotalsTheResultsOfAManifestAcrossFiles) {
  const std::string dir = std::getenv("TEST_TMPDIR");
  std::ofstream(dir + "/r0.jsonl") << R"({"item":"a","result":{"lines":3,"bytes":10,"path":"a"}})"
                                   << "\n"
                                   << R"({"item":"b","result":{"lines":4,"bytes":2.5}})"
                                   << "\n";
  std::ofstream(dir + "/r1.jsonl") << R"({"item":"c","result":{"lines":5}})";  // no last newline
  json manifest = {{"results", {{"files", {dir + "/r0.jsonl", dir + "/r1.jsonl"}}}}};
  json sum = json::parse(*Invoke("builtin:sum", manifest.dump()));
  EXPECT_EQ(sum["items"], 3);
  EXPECT_EQ(sum["sum"]["lines"], 12);
  EXPECT_TRUE(sum["sum"]["lines"].is_number_integer());
  EXPECT_DOUBLE_EQ(sum["sum"]["bytes"].get<double>(), 12.5);
  EXPECT_FALSE(sum["sum"].contains("path"));

  std::ofstream(dir + "/numbers.jsonl") << "{\"result\":2}\n{\"result\":40}\n";
  manifest["results"]["files"] = {dir + "/numbers.jsonl"};
  EXPECT_EQ(json::parse(*Invoke("builtin:sum", manifest.dump()))["value"], 42);

  std::ofstream(dir + "/bad.jsonl") << "{\"result\":1}\nnot json\n";
  manifest["results"]["files"] = {dir + "/bad.jsonl"};
  absl::StatusOr<std::string> bad = Invoke("builtin:sum", manifest.dump());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("manifest line 2"), absl::string_view::npos);
  EXPECT_EQ(Invoke("builtin:sum", "{}").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(BuiltinsTest, S3CopyRefusesWhatItCannotCopyNamingWhy) {
  EXPECT_EQ(Invoke("builtin:s3-copy", "\"/local/file\"").status().code(),
            absl::StatusCode::kInvalidArgument);
  absl::StatusOr<std::string> no_dest = Invoke("builtin:s3-copy", "\"s3://bkt/k\"");
  EXPECT_EQ(no_dest.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(no_dest.status().message().find("params.dest"), absl::string_view::npos);
  absl::StatusOr<std::string> onto_itself =
      Invoke("builtin:s3-copy", "\"s3://bkt/k\"", {{"dest", "s3://bkt/"}});
  EXPECT_NE(onto_itself.status().message().find("onto itself"), absl::string_view::npos);
  EXPECT_EQ(
      Invoke("builtin:s3-copy",
             json{{"bucket", "bkt"}, {"key", "k"}, {"range", {{"first", 0}, {"last", 1}}}}.dump(),
             {{"dest", "s3://cbk/"}})
          .status()
          .code(),
      absl::StatusCode::kInvalidArgument);
}

TEST_F(BuiltinsTest, Sha256ErrorsSayWhy) {
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/no/such/file";
  absl::StatusOr<std::string> missing = Invoke("builtin:sha256", json(path).dump());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("/no/such/file"), absl::string_view::npos);
  EXPECT_EQ(Invoke("builtin:sha256", "42").status().code(), absl::StatusCode::kInvalidArgument);
}

// Items name files; the worker reads only those below its --file_roots (issue: /etc/shadow).
TEST_F(BuiltinsTest, DataBuiltinsReadNothingOutsideTheFileRoots) {
  const std::string tmp = std::getenv("TEST_TMPDIR");
  std::ofstream(tmp + "/private/secret") << "s";
  std::filesystem::remove(tmp + "/shadow-link");
  std::filesystem::create_symlink("/etc/shadow", tmp + "/shadow-link");
  for (const std::string& path :
       {std::string("/etc/shadow"), tmp + "/shadow-link", tmp + "/private/secret"}) {
    for (const char* function : {"builtin:sha256", "builtin:lines"}) {
      absl::StatusOr<std::string> out = Invoke(function, json{{"path", path}}.dump());
      EXPECT_EQ(out.status().code(), absl::StatusCode::kPermissionDenied) << function << path;
      EXPECT_NE(out.status().message().find("item: "), std::string::npos) << out.status();
    }
  }
  SetLocalFileRoots(FileRoots());
  std::ofstream(tmp + "/ok.txt") << "ok";
  EXPECT_EQ(Invoke("builtin:sha256", json(tmp + "/ok.txt").dump()).status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(BuiltinsTest, CountWritesTracesOnlyBelowTheFileRoots) {
  const std::string tmp = std::getenv("TEST_TMPDIR");
  for (const std::string& dir : {std::string("/etc"), tmp + "/private"}) {
    absl::StatusOr<std::string> out =
        Invoke("builtin:count", R"({"n": 1})", json{{"trace_dir", dir}});
    EXPECT_EQ(out.status().code(), absl::StatusCode::kPermissionDenied) << dir;
    EXPECT_NE(out.status().message().find("params.trace_dir"), std::string::npos);
  }
  std::filesystem::create_directories(tmp + "/traces");
  EXPECT_TRUE(Invoke("builtin:count", R"({"n": 1})", json{{"trace_dir", tmp + "/traces"}}).ok());
  EXPECT_FALSE(std::filesystem::is_empty(tmp + "/traces"));
}

}  // namespace
}  // namespace fanout::worker
