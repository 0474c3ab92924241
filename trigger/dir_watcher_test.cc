#include "trigger/dir_watcher.h"

#include <filesystem>
#include <fstream>
#include <map>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace fanout::trigger {
namespace {

using nlohmann::json;

// Deduplicates by idempotency key as the coordinator does.
class KeyedSubmitter : public JobSubmitter {
 public:
  absl::StatusOr<Submitted> Submit(const v1::JobSpec& spec) override {
    absl::MutexLock lock(&mu_);
    const bool created = jobs_.emplace(spec.idempotency_key(), spec).second;
    return Submitted{spec.idempotency_key(), created};
  }
  // The paths of the jobs' items, once `n` jobs exist (or after 5 s).
  std::multiset<std::string> WaitForPaths(size_t n) {
    absl::MutexLock lock(&mu_);
    auto enough = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return jobs_.size() >= n; };
    mu_.AwaitWithTimeout(absl::Condition(&enough), absl::Seconds(5));
    std::multiset<std::string> paths;
    for (const auto& [key, spec] : jobs_) paths.insert(json::parse(spec.source())[0]["path"]);
    return paths;
  }

 private:
  absl::Mutex mu_;
  std::map<std::string, v1::JobSpec> jobs_ ABSL_GUARDED_BY(mu_);
};

void Write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

TEST(DirWatcherTest, FilesWrittenMovedInOrMadeInNewDirectoriesBecomeOneJobEach) {
  const std::string root = std::string(std::getenv("TEST_TMPDIR")) + "/watched";
  const std::string outside = std::string(std::getenv("TEST_TMPDIR")) + "/outside.csv";
  std::filesystem::create_directories(root);
  Write(root + "/before.csv", "a,b\n");
  Rule rule;
  rule.name = "inbox";
  rule.source = "directory";
  rule.directory = {root, /*scan_existing=*/true};
  rule.filter.suffix = ".csv";
  rule.job.set_function("builtin:lines");
  KeyedSubmitter submitter;
  auto watcher = std::make_unique<DirWatcher>(rule, submitter);
  ASSERT_TRUE(watcher->Start().ok());

  Write(root + "/new.csv", "1\n2\n");
  Write(root + "/ignored.tmp", "x");
  std::filesystem::create_directories(root + "/2026/11");
  Write(root + "/2026/11/deep.csv", "3\n");
  Write(outside, "4\n");
  std::filesystem::rename(outside, root + "/moved.csv");
  const std::multiset<std::string> expected = {root + "/before.csv", root + "/new.csv",
                                               root + "/2026/11/deep.csv", root + "/moved.csv"};
  EXPECT_EQ(submitter.WaitForPaths(4), expected);

  // Restarted with a rescan: the same files are the same jobs; a rewritten file is a new one.
  watcher = std::make_unique<DirWatcher>(rule, submitter);
  ASSERT_TRUE(watcher->Start().ok());
  absl::SleepFor(absl::Milliseconds(300));
  EXPECT_EQ(watcher->submitted(), 0u);
  Write(root + "/new.csv", "1\n2\n3\n");
  std::multiset<std::string> rewritten = expected;
  rewritten.insert(root + "/new.csv");
  EXPECT_EQ(submitter.WaitForPaths(5), rewritten);
  // The watcher counts a submit once its answer is back: just after the submitter saw it.
  for (int i = 0; i < 100 && watcher->submitted() == 0; ++i) absl::SleepFor(absl::Milliseconds(20));
  EXPECT_EQ(watcher->submitted(), 1u);
}

TEST(DirWatcherTest, AMissingDirectoryIsAClearError) {
  Rule rule;
  rule.name = "nowhere";
  rule.directory.path = "/no/such/dir";
  KeyedSubmitter submitter;
  DirWatcher watcher(rule, submitter);
  absl::Status s = watcher.Start();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("cannot watch /no/such/dir"), absl::string_view::npos) << s;
}

TEST(DirWatcherTest, TheItemIsWhatTheDirSourceMakes) {
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/item.txt";
  Write(path, "hello");
  Rule rule;
  rule.name = "r";
  rule.job.set_function("builtin:sha256");
  absl::StatusOr<v1::JobSpec> job = DirWatcher::FileJob(rule, path);
  ASSERT_TRUE(job.ok()) << job.status();
  EXPECT_EQ(json::parse(job->source()), json::parse(R"([{"path": ")" + path + R"(", "size": 5}])"));
  EXPECT_EQ(job->idempotency_key().rfind("dir/r/" + path + "/5/", 0), 0u);
  EXPECT_EQ(DirWatcher::FileJob(rule, path + ".gone").status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace fanout::trigger
