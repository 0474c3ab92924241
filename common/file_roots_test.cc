#include "common/file_roots.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"

namespace fanout {
namespace {

namespace fs = std::filesystem;

class FileRootsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::path(std::getenv("TEST_TMPDIR")) / "roots";
    fs::remove_all(base_);
    fs::create_directories(base_ / "jobs" / "in");
    fs::create_directories(base_ / "jobs" / "data");
    std::ofstream(base_ / "jobs" / "in" / "a.csv") << "x\n";
    roots_ = *FileRoots::Make({(base_ / "jobs").string()}, {(base_ / "jobs" / "data").string()},
                              "--file_roots");
  }
  std::string In(const std::string& rest) { return (base_ / rest).string(); }

  fs::path base_;
  FileRoots roots_;
};

TEST_F(FileRootsTest, AllowsFilesBelowARootAndFilesYetToBeMade) {
  EXPECT_EQ(*roots_.Check(In("jobs/in/a.csv"), "source"), In("jobs/in/a.csv"));
  EXPECT_EQ(*roots_.Check(In("jobs/out/new/r.jsonl"), "results"), In("jobs/out/new/r.jsonl"));
  EXPECT_EQ(*roots_.Check(In("jobs/in/../in/a.csv"), "source"), In("jobs/in/a.csv"));
}

TEST_F(FileRootsTest, RefusesWhatLiesOutsideNamingTheFieldAndTheRoots) {
  for (const std::string& path : {std::string("/etc/shadow"), std::string("/root"),
                                  In("jobs/../elsewhere.csv"), std::string("/")}) {
    absl::StatusOr<std::string> checked = roots_.Check(path, "source");
    EXPECT_EQ(checked.status().code(), absl::StatusCode::kPermissionDenied) << path;
    EXPECT_NE(checked.status().message().find("source: "), std::string::npos);
    EXPECT_NE(checked.status().message().find("--file_roots="), std::string::npos);
  }
  EXPECT_EQ(roots_.Check("relative/a.csv", "source").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(FileRootsTest, NeverReachesAForbiddenDirectoryBelowARoot) {
  for (const std::string& rest : {"jobs/data", "jobs/data/CURRENT", "jobs/./data/new/x"}) {
    absl::StatusOr<std::string> checked = roots_.Check(In(rest), "results");
    EXPECT_EQ(checked.status().code(), absl::StatusCode::kPermissionDenied) << rest;
    EXPECT_NE(checked.status().message().find("may never reach"), std::string::npos);
  }
}

TEST_F(FileRootsTest, SymlinksAreJudgedByWhereTheyLead) {
  fs::create_symlink("/etc", base_ / "jobs" / "in" / "etc");
  fs::create_directory_symlink(base_ / "jobs" / "data", base_ / "jobs" / "in" / "store");
  EXPECT_FALSE(roots_.Check(In("jobs/in/etc/passwd"), "item").ok());
  EXPECT_FALSE(roots_.Check(In("jobs/in/store/CURRENT"), "results").ok());
}

TEST_F(FileRootsTest, NoRootsMeansNoLocalFilesAndSaysHowToAllowThem) {
  FileRoots none = *FileRoots::Make({}, {}, "--file_roots");
  absl::StatusOr<std::string> checked = none.Check(In("jobs/in/a.csv"), "source");
  EXPECT_EQ(checked.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(checked.status().message().find("start with --file_roots=DIR"), std::string::npos);
}

TEST_F(FileRootsTest, ARootMustBeAnExistingDirectory) {
  EXPECT_FALSE(FileRoots::Make({In("jobs/in/a.csv")}, {}, "--file_roots").ok());
  EXPECT_FALSE(FileRoots::Make({In("missing")}, {}, "--file_roots").ok());
}

}  // namespace
}  // namespace fanout
