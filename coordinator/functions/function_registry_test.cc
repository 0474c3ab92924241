#include "coordinator/functions/function_registry.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "absl/strings/str_cat.h"
#include "common/bundle.h"
#include "common/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fanout::coordinator {
namespace {

using ::testing::HasSubstr;

class FunctionRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TEST_TMPDIR");
    dir_ = absl::StrCat(tmp ? tmp : "/tmp", "/registry_", ::getpid(), "_", counter_++);
    ASSERT_EQ(std::system(("rm -rf " + dir_ + " && mkdir -p " + dir_ + "/src").c_str()), 0);
    Reopen();
  }
  void Reopen() {
    registry_.reset();
    FunctionRegistry::Options options;
    options.data_dir = dir_;
    options.max_bundle_bytes = 1 << 20;
    absl::StatusOr<std::unique_ptr<FunctionRegistry>> opened =
        FunctionRegistry::Open(options, RealClock::Get());
    ASSERT_TRUE(opened.ok()) << opened.status();
    registry_ = *std::move(opened);
  }
  // Uploads a bundle holding `files` (bootstrap executable) through the code store.
  absl::StatusOr<v1::CodeRef> Upload(const std::map<std::string, std::string>& files) {
    const std::string src = absl::StrCat(dir_, "/src", uploads_++);
    ::mkdir(src.c_str(), 0755);
    for (const auto& [name, text] : files) {
      std::ofstream(src + "/" + name) << text;
      ::chmod((src + "/" + name).c_str(), name == "bootstrap" ? 0755 : 0644);
    }
    const std::string packed = src + ".tgz";
    if (absl::Status s = PackDirectory(src, packed); !s.ok()) return s;
    std::ifstream in(packed, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto upload = registry_->code().StartUpload();
    if (!upload.ok()) return upload.status();
    // In two pieces, as chunks arrive.
    if (absl::Status s = (*upload)->Append(bytes.substr(0, 10)); !s.ok()) return s;
    if (absl::Status s = (*upload)->Append(bytes.substr(10)); !s.ok()) return s;
    return (*upload)->Commit();
  }
  v1::CreateFunctionRequest Request(const std::string& name, const std::string& sha,
                                    bool update = false) {
    v1::CreateFunctionRequest request;
    request.set_name(name);
    request.set_code_sha256(sha);
    request.set_update(update);
    request.mutable_settings()->set_runtime("provided");
    request.mutable_settings()->set_handler("index.handler");
    return request;
  }

  std::string dir_;
  std::unique_ptr<FunctionRegistry> registry_;
  int uploads_ = 0;
  static inline int counter_ = 0;
};

TEST_F(FunctionRegistryTest, VersionsAreNumberedPinnedAndSurviveARestart) {
  absl::StatusOr<v1::CodeRef> one = Upload({{"bootstrap", "#!/bin/sh\necho 1\n"}});
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_TRUE(one->has_bootstrap());
  absl::StatusOr<v1::FunctionVersion> v1 = registry_->Create(Request("echo", one->sha256()));
  ASSERT_TRUE(v1.ok()) << v1.status();
  EXPECT_EQ(v1->version(), 1u);
  EXPECT_EQ(v1->settings().memory_mb(), 128u);
  EXPECT_EQ(FromProto(v1->settings().timeout()), absl::Seconds(300));
  EXPECT_EQ(registry_->Create(Request("echo", one->sha256())).status().code(),
            absl::StatusCode::kAlreadyExists);
  absl::StatusOr<v1::CodeRef> two = Upload({{"bootstrap", "#!/bin/sh\necho 2\n"}});
  ASSERT_TRUE(two.ok());
  EXPECT_NE(two->sha256(), one->sha256());
  absl::StatusOr<v1::FunctionVersion> v2 =
      registry_->Create(Request("echo", two->sha256(), /*update=*/true));
  ASSERT_TRUE(v2.ok()) << v2.status();
  EXPECT_EQ(v2->version(), 2u);
  Reopen();
  EXPECT_EQ(registry_->Get("echo", 0)->code_sha256(), two->sha256());
  EXPECT_EQ(registry_->Get("echo", 1)->code_sha256(), one->sha256());
  EXPECT_EQ(registry_->Get("echo", 3).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(registry_->List("echo")->size(), 2u);
  EXPECT_TRUE(registry_->code().PathOf(one->sha256()).ok());
}

TEST_F(FunctionRegistryTest, ListingShowsTheLatestOfEachAndDeleteNeverReusesANumber) {
  absl::StatusOr<v1::CodeRef> code = Upload({{"bootstrap", "#!/bin/sh\n"}});
  ASSERT_TRUE(code.ok());
  for (const char* name : {"a", "a-b", "b"}) {
    ASSERT_TRUE(registry_->Create(Request(name, code->sha256())).ok()) << name;
  }
  ASSERT_TRUE(registry_->Create(Request("a", code->sha256(), true)).ok());
  absl::StatusOr<std::vector<v1::FunctionVersion>> all = registry_->List("");
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  for (const v1::FunctionVersion& v : *all) {
    EXPECT_EQ(v.version(), v.name() == "a" ? 2u : 1u) << v.name();
  }
  EXPECT_EQ(*registry_->Delete("a"), 2u);
  EXPECT_EQ(registry_->Get("a", 0).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(registry_->Create(Request("a", code->sha256(), true)).status().code(),
            absl::StatusCode::kNotFound);
  absl::StatusOr<v1::FunctionVersion> again = registry_->Create(Request("a", code->sha256()));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->version(), 3u);  // a worker's cached a:1 can never be other code
}

TEST_F(FunctionRegistryTest, BadRequestsNameTheField) {
  absl::StatusOr<v1::CodeRef> code = Upload({{"bootstrap", "#!/bin/sh\n"}});
  absl::StatusOr<v1::CodeRef> no_bootstrap = Upload({{"index.js", "x"}});
  ASSERT_TRUE(code.ok() && no_bootstrap.ok());
  struct Case {
    std::function<void(v1::CreateFunctionRequest&)> change;
    std::string says;
  };
  for (const Case& c : std::vector<Case>{
           {[](auto& r) { r.set_name("bad name"); }, "function name"},
           {[](auto& r) { r.mutable_settings()->set_runtime("python3.12"); }, "runtime"},
           {[](auto& r) { r.mutable_settings()->set_memory_mb(64); }, "memory_mb"},
           {[](auto& r) { ToProto(absl::Hours(2), r.mutable_settings()->mutable_timeout()); },
            "timeout"},
           {[](auto& r) {
              auto* var = r.mutable_settings()->add_env();
              var->set_name("AWS_REGION");
            },
            "AWS_REGION"},
           {[](auto& r) { r.set_code_sha256("abc"); }, "code_sha256"},
           {[](auto& r) { r.set_code_sha256(std::string(64, 'a')); }, "no code bundle"},
           {[&](auto& r) { r.set_code_sha256(no_bootstrap->sha256()); }, "bootstrap"},
           {[](auto& r) {
              r.mutable_settings()->set_runtime("exec");
              r.mutable_settings()->clear_handler();
            },
            "handler"},
       }) {
    v1::CreateFunctionRequest request = Request("fn", code->sha256());
    c.change(request);
    absl::StatusOr<v1::FunctionVersion> created = registry_->Create(request);
    ASSERT_FALSE(created.ok()) << c.says;
    EXPECT_THAT(created.status().message(), HasSubstr(c.says));
  }
}

TEST_F(FunctionRegistryTest, UploadsOverTheLimitOrNotArchivesAreRefusedAndLeaveNothing) {
  auto upload = registry_->code().StartUpload();
  ASSERT_TRUE(upload.ok());
  EXPECT_THAT((*upload)->Append(std::string(2 << 20, 'x')).message(), HasSubstr("over"));
  upload->reset();
  upload = registry_->code().StartUpload();
  ASSERT_TRUE((*upload)->Append("not an archive at all").ok());
  EXPECT_THAT((*upload)->Commit().status().message(), HasSubstr("not a zip or tarball"));
  upload->reset();
  upload = registry_->code().StartUpload();
  EXPECT_THAT((*upload)->Commit().status().message(), HasSubstr("the bundle is empty"));
  upload->reset();
  EXPECT_EQ(std::system(("test -z \"$(ls -A " + dir_ + "/code)\"").c_str()), 0);
}

}  // namespace
}  // namespace fanout::coordinator
