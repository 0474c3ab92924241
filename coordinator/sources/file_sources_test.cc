#include "coordinator/sources/file_sources.h"

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace fanout::coordinator {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;

std::string Dir(const std::string& name) {
  const std::string d = std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

void Write(const fs::path& p, const std::string& data) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << data;
}

std::vector<json> ReadAll(SequentialSource& source, size_t step) {
  std::vector<json> all;
  std::string cursor;
  for (int guard = 0; guard < 1000; ++guard) {
    absl::StatusOr<SourceBatch> b = source.Next(cursor, step);
    EXPECT_TRUE(b.ok()) << b.status();
    for (SourceItem& i : b->items) all.push_back(json::parse(i.json));
    cursor = b->cursor;
    if (b->done) break;
  }
  return all;
}

TEST(FileSourcesTest, DirWalksEveryRegularFileInPathOrderAcrossCursors) {
  const std::string root = Dir("tree");
  Write(root + "/b/2.txt", "22");
  Write(root + "/a.txt", "a");
  Write(root + "/b/1.txt", "1");
  Write(root + "/b/c/3.txt", "333");
  Write(root + "/d.txt", "");
  fs::create_symlink(root + "/a.txt", root + "/link.txt");
  absl::StatusOr<std::unique_ptr<SequentialSource>> source = MakeDirSource("dir:" + root, root, 0);
  ASSERT_TRUE(source.ok()) << source.status();
  for (size_t step : {size_t{1}, size_t{2}, size_t{100}}) {
    std::vector<json> items = ReadAll(**source, step);
    std::vector<std::string> paths;
    for (const json& i : items) paths.push_back(i["path"]);
    EXPECT_EQ(paths,
              (std::vector<std::string>{root + "/a.txt", root + "/b/1.txt", root + "/b/2.txt",
                                        root + "/b/c/3.txt", root + "/d.txt"}))
        << "step " << step;
    EXPECT_EQ(items[3]["size"], 3);
  }
}

// Runs `walk` in a child process as user nobody when we are root (root reads any directory, so
// only an unprivileged process sees a mode-000 directory as unreadable); returns its output.
std::string AsUnprivileged(const std::function<std::string()>& walk) {
  if (geteuid() != 0) return walk();
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    if (setgid(65534) != 0 || setuid(65534) != 0) _exit(3);
    const std::string out = walk();
    (void)!write(fds[1], out.data(), out.size());
    _exit(0);
  }
  close(fds[1]);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = read(fds[0], buf, sizeof(buf))) > 0;) out.append(buf, n);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
  return out;
}

TEST(FileSourcesTest, AnUnreadableDirectoryFailsAsOneItemAndTheRestIsWalked) {
  // Below /tmp rather than the test's own directory, which an unprivileged user cannot enter.
  char tmpl[] = "/tmp/fanout-unreadable-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string root = tmpl;
  Write(root + "/a.txt", "a");
  Write(root + "/locked/secret.txt", "s");
  Write(root + "/z/z.txt", "z");
  fs::permissions(root, fs::perms::all);
  fs::permissions(root + "/z", fs::perms::all);
  fs::permissions(root + "/locked", fs::perms::none);
  const std::string out = AsUnprivileged([&] {
    std::string lines;
    for (size_t step : {size_t{1}, size_t{100}}) {
      std::unique_ptr<SequentialSource> source = *MakeDirSource("dir:" + root, root, 0);
      std::string cursor;
      for (int guard = 0; guard < 100; ++guard) {
        absl::StatusOr<SourceBatch> b = source->Next(cursor, step);
        if (!b.ok()) return std::string(b.status().message());
        for (SourceItem& i : b->items) {
          lines +=
              json{{"step", step}, {"item", json::parse(i.json)}, {"error", i.error.value_or("")}}
                  .dump() +
              "\n";
        }
        cursor = b->cursor;
        if (b->done) break;
      }
    }
    return lines;
  });
  fs::permissions(root + "/locked", fs::perms::all);
  fs::remove_all(root);
  std::vector<json> items;
  std::stringstream in(out);
  for (std::string line; std::getline(in, line);) items.push_back(json::parse(line));
  ASSERT_EQ(items.size(), 6) << out;
  for (int at : {0, 3}) {
    EXPECT_EQ(items[at]["item"]["path"], root + "/a.txt");
    EXPECT_EQ(items[at + 1]["item"]["path"], root + "/locked");
    EXPECT_THAT(items[at + 1]["error"].get<std::string>(),
                HasSubstr("cannot read directory " + root + "/locked: Permission denied"));
    EXPECT_EQ(items[at + 2]["item"]["path"], root + "/z/z.txt");
    EXPECT_EQ(items[at + 2]["error"], "");
  }
}

TEST(FileSourcesTest, SplitBytesMakesOneItemPerRange) {
  const std::string root = Dir("split");
  Write(root + "/big", std::string(25, 'x'));
  Write(root + "/small", "x");
  std::unique_ptr<SequentialSource> source = *MakeDirSource("dir:" + root, root, 10);
  std::vector<json> items = ReadAll(*source, 2);
  ASSERT_EQ(items.size(), 4);
  EXPECT_EQ(items[0]["range"]["first"], 0);
  EXPECT_EQ(items[0]["range"]["last"], 9);
  EXPECT_EQ(items[2]["range"]["first"], 20);
  EXPECT_EQ(items[2]["range"]["last"], 24);
  EXPECT_EQ(items[2]["parts"], 3);
  EXPECT_EQ(items[3]["range"]["last"], 0);
}

TEST(FileSourcesTest, MissingOrWrongPathsNameTheSource) {
  absl::StatusOr<std::unique_ptr<SequentialSource>> jsonl =
      MakeManifestFileSource(false, "jsonl:/no/such.jsonl", "/no/such.jsonl");
  EXPECT_EQ(jsonl.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(jsonl.status().message(), HasSubstr("source: jsonl:/no/such.jsonl"));
  const std::string root = Dir("notdir");
  Write(root + "/f", "x");
  EXPECT_THAT(MakeDirSource("dir:x", root + "/f", 0).status().message(),
              HasSubstr("source: dir:x"));
  EXPECT_EQ(MakeManifestFileSource(true, "csv:" + root, root).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(FileSourcesTest, JsonlFileReadsLines) {
  const std::string root = Dir("jsonl");
  Write(root + "/m.jsonl", "1\n2\n3\n");
  std::unique_ptr<SequentialSource> source =
      *MakeManifestFileSource(false, "jsonl:" + root + "/m.jsonl", root + "/m.jsonl");
  EXPECT_EQ(ReadAll(*source, 2).size(), 3);
}

TEST(FileSourcesTest, AFileNameThatIsNotUtf8FailsAloneAndTheWalkResumesPastIt) {
  const std::string root = Dir("latin1");
  Write(root + "/a.txt", "a");
  Write(root +
            "/b\xe4"
            "d.txt",
        "bad name");  // Latin-1 ä
  Write(root + "/c.txt", "c");
  for (size_t step : {size_t{1}, size_t{10}}) {
    std::unique_ptr<SequentialSource> source = *MakeDirSource("dir:" + root, root, 0);
    std::vector<std::string> paths, errors;
    std::string cursor;
    for (int guard = 0; guard < 10; ++guard) {
      absl::StatusOr<SourceBatch> b = source->Next(cursor, step);
      ASSERT_TRUE(b.ok()) << b.status();
      for (SourceItem& i : b->items) {
        paths.push_back(json::parse(i.json)["path"]);
        errors.push_back(i.error.value_or(""));
      }
      cursor = b->cursor;
      if (b->done) break;
    }
    ASSERT_EQ(paths.size(), 3u) << "step " << step;
    EXPECT_EQ(paths[0], root + "/a.txt");
    EXPECT_EQ(paths[1], root +
                            "/b\xef\xbf\xbd"
                            "d.txt")
        << "shown with U+FFFD, never re-read";
    EXPECT_THAT(errors[1], HasSubstr("file name is not valid UTF-8: \"" + root + "/b\\xe4d.txt\""));
    EXPECT_EQ(paths[2], root + "/c.txt");
    EXPECT_EQ(errors[2], "");
  }
}

}  // namespace
}  // namespace fanout::coordinator
