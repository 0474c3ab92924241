// What a job may reach on the machines that run it: files only below the --file_roots of the
// coordinator (sources, jsonl: results) and of the workers (the data built-ins, count's
// trace_dir), never the coordinator's data dir, and S3 requests only to the configured endpoint.
// Each attack from the security issue is refused with a clear error and nothing is read or
// written outside the roots.
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/test_cluster.h"

namespace fanout::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

class BoundariesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    roots_ = TestDir("jobs-may-use");
    std::filesystem::create_directories(roots_);
    std::ofstream(roots_ + "/ok.jsonl") << "{\"n\": 1}\n";
    ASSERT_TRUE(cluster_.StartCoordinator({"--file_roots=" + roots_}).ok());
    ASSERT_TRUE(cluster_.StartWorker("w", 2, {"--file_roots=" + roots_}).ok());
  }

  absl::Status Submit(const std::string& function, const std::string& source,
                      const std::string& results = "", const std::string& params = "") {
    v1::JobSpec spec;
    spec.set_function(function);
    spec.set_source(source);
    spec.set_results(results);
    spec.set_params_json(params);
    return cluster_.Submit(spec).status();
  }

  // Runs a one-item job to its end and returns its one result's error.
  std::string ItemError(const std::string& function, const json& item, const json& params = {}) {
    v1::JobSpec spec;
    spec.set_function(function);
    spec.set_source(json::array({item}).dump());
    if (!params.is_null()) spec.set_params_json(params.dump());
    spec.mutable_options()->set_max_attempts(1);
    absl::StatusOr<v1::Job> job = cluster_.Submit(spec);
    EXPECT_TRUE(job.ok()) << job.status();
    if (!job.ok()) return "";
    EXPECT_TRUE(cluster_.WaitForJob(job->job_id(), absl::Seconds(30)).ok());
    absl::StatusOr<std::vector<v1::ItemResult>> results = cluster_.Results(job->job_id());
    EXPECT_TRUE(results.ok() && results->size() == 1);
    return results.ok() && results->size() == 1 ? (*results)[0].error().message() : "";
  }

  TestCluster cluster_{"boundaries"};
  std::string roots_;
};

TEST_F(BoundariesTest, ResultsCannotOverwriteTheStoreOrLeaveTheRoots) {
  const std::string current = cluster_.data_dir() + "/CURRENT";
  for (const std::string& path : {current, std::string("/etc/fanout-was-here.jsonl")}) {
    absl::Status refused = Submit("builtin:noop", "range:1-2", "jsonl:" + path);
    EXPECT_EQ(refused.code(), absl::StatusCode::kPermissionDenied) << path;
    EXPECT_THAT(refused.message(), HasSubstr("results: " + path));
  }
  EXPECT_FALSE(std::filesystem::exists("/etc/fanout-was-here.jsonl"));
  // The store still opens: the coordinator restarts on it and serves.
  cluster_.KillCoordinator();
  ASSERT_TRUE(cluster_.StartCoordinator({"--file_roots=" + roots_}).ok());
  EXPECT_TRUE(Submit("builtin:noop", "range:1-2", "jsonl:" + roots_ + "/out.jsonl").ok());
}

TEST_F(BoundariesTest, FileSourcesReadOnlyBelowTheRoots) {
  for (const std::string& source :
       {std::string("dir:/root"), std::string("csv:/etc/passwd"), std::string("jsonl:/etc/hosts"),
        "jsonl:" + roots_ + "/../../../etc/hosts"}) {
    absl::Status refused = Submit("builtin:noop", source);
    EXPECT_EQ(refused.code(), absl::StatusCode::kPermissionDenied) << source;
    EXPECT_THAT(refused.message(), HasSubstr("source: ")) << refused;
    EXPECT_THAT(refused.message(), HasSubstr("is outside the file roots (--file_roots=" + roots_))
        << refused;
  }
  // Even when the data dir lies below a root.
  cluster_.KillCoordinator();
  ASSERT_TRUE(cluster_.StartCoordinator({"--file_roots=/"}).ok());
  EXPECT_THAT(Submit("builtin:noop", "dir:" + cluster_.data_dir()).message(),
              HasSubstr("which jobs may never reach"));
  cluster_.KillCoordinator();
  ASSERT_TRUE(cluster_.StartCoordinator({"--file_roots=" + roots_}).ok());
  std::filesystem::create_symlink("/etc", roots_ + "/etc");
  EXPECT_EQ(Submit("builtin:noop", "csv:" + roots_ + "/etc/passwd").code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(Submit("builtin:noop", "jsonl:" + roots_ + "/ok.jsonl").ok());
}

TEST_F(BoundariesTest, WorkersReadAndWriteNoLocalFileOutsideTheirRoots) {
  EXPECT_THAT(ItemError("builtin:sha256", "/etc/shadow"),
              HasSubstr("item: /etc/shadow is outside the file roots"));
  EXPECT_THAT(ItemError("builtin:count", {{"n", 1}}, {{"trace_dir", "/etc"}}),
              HasSubstr("params.trace_dir: /etc is outside the file roots"));
  EXPECT_EQ(ItemError("builtin:sha256", roots_ + "/ok.jsonl"), "");
}

TEST_F(BoundariesTest, BucketNamesNeverNameAnotherHost) {
  absl::Status refused = Submit("builtin:noop", "s3://evil.example#/x");
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.message(), HasSubstr("bucket"));
  // The SSRF item: a "bucket" that would put another host and port into a virtual-hosted URL.
  EXPECT_THAT(ItemError("builtin:sha256", {{"bucket", "10.1.2.3:8443#"}, {"key", "k"}}),
              HasSubstr("item.bucket"));
}

}  // namespace
}  // namespace fanout::testing
