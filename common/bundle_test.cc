#include "common/bundle.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace fanout {
namespace {

class BundleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TEST_TMPDIR");
    root_ = absl::StrCat(tmp ? tmp : "/tmp", "/bundle_test_", ::getpid(), "_", counter_++);
    ASSERT_EQ(std::system(("rm -rf " + root_ + " && mkdir -p " + root_).c_str()), 0);
  }
  std::string Path(const std::string& rel) { return root_ + "/" + rel; }
  void Write(const std::string& rel, const std::string& text, mode_t mode = 0644) {
    std::ofstream(Path(rel)) << text;
    ::chmod(Path(rel).c_str(), mode);
  }
  static std::string Read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  // Runs python3 to craft an archive the project's own code would never make.
  void Python(const std::string& code) {
    std::ofstream(Path("make.py")) << code;
    ASSERT_EQ(std::system(("cd " + root_ + " && python3 make.py").c_str()), 0);
  }
  std::string root_;
  static inline int counter_ = 0;
};

TEST_F(BundleTest, ADirectoryPacksReproduciblyAndUnpacksWithItsModes) {
  ASSERT_EQ(::mkdir(Path("src").c_str(), 0755), 0);
  ASSERT_EQ(::mkdir(Path("src/lib").c_str(), 0755), 0);
  Write("src/bootstrap", "#!/bin/sh\necho hi\n", 0755);
  Write("src/lib/data.txt", "payload");
  ASSERT_EQ(::symlink("lib/data.txt", Path("src/link").c_str()), 0);
  ASSERT_TRUE(PackDirectory(Path("src"), Path("a.tgz")).ok());
  ASSERT_TRUE(PackDirectory(Path("src"), Path("b.tgz")).ok());
  EXPECT_EQ(*FileSha256(Path("a.tgz")), *FileSha256(Path("b.tgz")));
  absl::StatusOr<BundleSummary> summary = InspectBundle(Path("a.tgz"));
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_TRUE(summary->has_bootstrap);
  EXPECT_EQ(summary->unpacked_bytes, 18u + 7u);
  ASSERT_EQ(::mkdir(Path("out").c_str(), 0755), 0);
  ASSERT_EQ(UnpackBundle(Path("a.tgz"), Path("out")), absl::OkStatus());
  struct stat st {};
  ASSERT_EQ(::stat(Path("out/bootstrap").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0755u);
  EXPECT_EQ(Read(Path("out/lib/data.txt")), "payload");
  EXPECT_EQ(Read(Path("out/link")), "payload");
}

TEST_F(BundleTest, ZipsFromTheZipToolKeepTheExecutableBit) {
  ASSERT_EQ(::mkdir(Path("src").c_str(), 0755), 0);
  Write("src/bootstrap", "#!/bin/sh\n", 0755);
  Write("src/handler.sh", "x");
  ASSERT_EQ(std::system(("cd " + Path("src") + " && zip -q -r ../code.zip .").c_str()), 0);
  absl::StatusOr<BundleSummary> summary = InspectBundle(Path("code.zip"));
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_TRUE(summary->has_bootstrap);
  ASSERT_EQ(::mkdir(Path("out").c_str(), 0755), 0);
  ASSERT_EQ(UnpackBundle(Path("code.zip"), Path("out")), absl::OkStatus());
  EXPECT_EQ(::access(Path("out/bootstrap").c_str(), X_OK), 0);
}

TEST_F(BundleTest, EscapesAndStrangeEntriesAreRefusedByName) {
  Python(R"PY(
import tarfile, io, zipfile
def tar(name, *members):
    with tarfile.open(name, "w:gz") as t:
        for info, data in members:
            t.addfile(info, io.BytesIO(data) if data else None)
def reg(name, data=b"x"):
    i = tarfile.TarInfo(name); i.size = len(data); return (i, data)
def link(name, target, kind=tarfile.SYMTYPE):
    i = tarfile.TarInfo(name); i.type = kind; i.linkname = target; return (i, None)
tar("dotdot.tgz", reg("../evil"))
tar("absolute.tgz", reg("/etc/evil"))
tar("symlink.tgz", link("passwd", "/etc/passwd"))
tar("climb.tgz", link("sub/up", "../../outside"))
tar("hardlink.tgz", link("h", "../x", tarfile.LNKTYPE))
fifo = tarfile.TarInfo("pipe"); fifo.type = tarfile.FIFOTYPE
tar("fifo.tgz", (fifo, None))
tar("chained.tgz", link("a", "."), link("b", "."), link("s", "a/b/../.."))
tar("intolink.tgz", reg("sub/x"), link("d", "sub"), reg("d/f"))
with zipfile.ZipFile("zipslip.zip", "w") as z:
    z.writestr("../../evil.sh", "boom")
open("garbage.zip", "wb").write(b"\x00\x01 not an archive" * 100)
)PY");
  for (const auto& [file, says] : std::vector<std::pair<std::string, std::string>>{
           {"dotdot.tgz", "'..'"},
           {"absolute.tgz", "absolute"},
           {"symlink.tgz", "outside the bundle"},
           {"climb.tgz", "outside the bundle"},
           {"hardlink.tgz", "outside the bundle"},
           {"fifo.tgz", "not a file"},
           {"zipslip.zip", "'..'"},
           {"garbage.zip", "not a zip or tarball"},
           {"chained.tgz", "through another link"},
           {"intolink.tgz", "inside a directory that is a symlink"},
       }) {
    absl::StatusOr<BundleSummary> summary = InspectBundle(Path(file));
    ASSERT_FALSE(summary.ok()) << file;
    EXPECT_EQ(summary.status().code(), absl::StatusCode::kInvalidArgument) << file;
    EXPECT_NE(summary.status().message().find(says), std::string::npos)
        << file << ": " << summary.status();
    const std::string out = Path(file + ".out");
    ASSERT_EQ(::mkdir(out.c_str(), 0755), 0);
    EXPECT_FALSE(UnpackBundle(Path(file), out).ok()) << file;
  }
  EXPECT_NE(::access(Path("evil").c_str(), F_OK), 0);
}

TEST_F(BundleTest, TheUnpackedSizeIsCountedFromTheDataNotTheHeaders) {
  // A "zip bomb": 10 MB of zeros packs to a few KB.
  Python(R"PY(
import zipfile
with zipfile.ZipFile("bomb.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("zeros", b"\0" * 10_000_000)
)PY");
  absl::StatusOr<BundleSummary> summary = InspectBundle(Path("bomb.zip"), 1'000'000);
  ASSERT_FALSE(summary.ok());
  EXPECT_NE(summary.status().message().find("over 1000000 bytes"), std::string::npos);
  EXPECT_TRUE(InspectBundle(Path("bomb.zip")).ok());
}

}  // namespace
}  // namespace fanout
