// The dashboard and its JSON API on a real coordinator (--http_listen): pages compiled in, jobs
// with counts and usage, a job's failures (item, code, message, attempts), a page of its tasks,
// and the workers with their slots.
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "s3/http.h"
#include "tests/free_port.h"
#include "tests/http_client.h"
#include "tests/test_cluster.h"

namespace fanout::testing {
namespace {

using nlohmann::json;

s3::HttpResponse Get(int port, const std::string& path) {
  absl::StatusOr<s3::HttpResponse> response = HttpGet(port, path);
  EXPECT_TRUE(response.ok()) << response.status();
  return response.ok() ? *response : s3::HttpResponse{};
}

json GetJson(int port, const std::string& path) {
  s3::HttpResponse r = Get(port, path);
  EXPECT_EQ(r.status, 200) << path << ": " << r.body;
  EXPECT_EQ(r.headers["content-type"], "application/json");
  return json::parse(r.body, nullptr, false);
}

TEST(DashboardApiTest, ServesThePagesJobsFailuresTasksAndWorkers) {
  TestCluster cluster("dashboard");
  const int http = FreePortBelowEphemeral();
  ASSERT_TRUE(cluster.StartCoordinator({absl::StrCat("--http_listen=127.0.0.1:", http)}).ok());
  ASSERT_TRUE(cluster.StartWorker("w-dash", 3).ok());

  // Compiled-in pages, no CDN.
  s3::HttpResponse index = Get(http, "/");
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.headers["content-type"], "text/html; charset=utf-8");
  EXPECT_NE(index.body.find("app.js"), std::string::npos);
  EXPECT_EQ(index.body.find("https://"), std::string::npos) << "the page must work offline";
  EXPECT_EQ(Get(http, "/app.js").headers["content-type"], "text/javascript; charset=utf-8");
  EXPECT_EQ(Get(http, "/style.css").status, 200);
  EXPECT_EQ(Get(http, "/nothing-here").status, 404);

  // 5 items, 2 of which fail for good: one fatally, one invalid.
  v1::JobSpec spec;
  spec.set_function("builtin:fail");
  spec.set_source(R"([1, {"fail": "fatal"}, 3, {"fail": "invalid"}, 5])");
  spec.mutable_options()->set_tolerated_failure_count(5);
  absl::StatusOr<v1::Job> job = cluster.Submit(spec);
  ASSERT_TRUE(job.ok()) << job.status();
  const std::string id = job->job_id();
  ASSERT_EQ(cluster.WaitForJob(id, absl::Seconds(30))->state(), v1::JOB_SUCCEEDED);

  const json jobs = GetJson(http, "/api/jobs?limit=10");
  ASSERT_EQ(jobs["jobs"].size(), 1);
  const json& row = jobs["jobs"][0];
  EXPECT_EQ(row["job_id"], id);
  EXPECT_EQ(row["state"], "SUCCEEDED");
  EXPECT_EQ(row["counts"]["succeeded"], 3);
  EXPECT_EQ(row["counts"]["failed"], 2);
  EXPECT_EQ(row["counts"]["total"], 5);
  EXPECT_EQ(row["progress"], 1.0);
  EXPECT_EQ(row["usage"]["requests"], 5);
  EXPECT_TRUE(row["eta_seconds"].is_null());

  const json detail = GetJson(http, "/api/jobs/" + id);
  EXPECT_EQ(detail["job"]["options"]["memory_mb"], 128);
  ASSERT_EQ(detail["failures"].size(), 2) << detail.dump();
  EXPECT_EQ(detail["failures"][0]["task"], 1);
  EXPECT_EQ(detail["failures"][0]["item"], R"({"fail":"fatal"})");
  EXPECT_EQ(detail["failures"][0]["code"], "ERROR_FATAL");
  EXPECT_EQ(detail["failures"][0]["attempts"], 1);
  EXPECT_FALSE(detail["failures"][0]["message"].get<std::string>().empty());
  EXPECT_EQ(detail["failures"][1]["code"], "ERROR_INVALID_INPUT");
  EXPECT_FALSE(detail["failures_truncated"].get<bool>());

  const json page = GetJson(http, "/api/jobs/" + id + "/tasks?start=1&limit=2");
  EXPECT_EQ(page["total"], 5);
  EXPECT_EQ(page["next_start"], 3);
  ASSERT_EQ(page["tasks"].size(), 2);
  EXPECT_EQ(page["tasks"][0]["index"], 1);
  EXPECT_EQ(page["tasks"][0]["state"], "FAILED");
  EXPECT_EQ(page["tasks"][0]["error"]["code"], "ERROR_FATAL");
  EXPECT_EQ(page["tasks"][1]["state"], "SUCCEEDED");
  EXPECT_TRUE(page["tasks"][1]["error"].is_null());
  const json last = GetJson(http, "/api/jobs/" + id + "/tasks?start=3&limit=2");
  EXPECT_EQ(last["tasks"].size(), 2);
  EXPECT_TRUE(last["next_start"].is_null()) << "a full last page has no next";

  const json workers = GetJson(http, "/api/workers");
  ASSERT_EQ(workers["workers"].size(), 1);
  EXPECT_EQ(workers["workers"][0]["worker_id"], "w-dash");
  EXPECT_EQ(workers["workers"][0]["slots"], 3);
  EXPECT_LT(workers["workers"][0]["seconds_since_seen"].get<double>(), 10);

  s3::HttpResponse unknown = Get(http, "/api/jobs/job-999");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_NE(unknown.body.find("error"), std::string::npos);
  EXPECT_EQ(Get(http, "/api/nope").status, 404);
  // Bytes that are not UTF-8, in a path and in a job's text, are answered, not fatal.
  EXPECT_EQ(Get(http, "/api/%FF%FE").status, 404);
  EXPECT_EQ(Get(http, "/api/jobs/%C3").status, 404);
  v1::JobSpec wide;
  wide.set_function("builtin:noop");
  std::string items = "[";
  for (int i = 0; i < 40; ++i) absl::StrAppend(&items, i ? "," : "", "\"жжжж\"");
  wide.set_source(items + "]");  // longer than the 256 bytes a listing shows, cut mid-letter
  ASSERT_TRUE(cluster.Submit(wide).ok());
  const json after = GetJson(http, "/api/jobs");
  ASSERT_EQ(after["jobs"].size(), 2);
  EXPECT_NE(after["jobs"][0]["source"].get<std::string>().find("bytes; fanout status shows all"),
            std::string::npos);
  ASSERT_EQ(cluster.Cli({"list"}).exit_code, 0) << "gRPC carries the cut source too";
  EXPECT_EQ(Get(http, "/metrics").status, 200) << "metrics on the dashboard's port too";
}

}  // namespace
}  // namespace fanout::testing
