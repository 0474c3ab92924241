// Fanout over real data in a real Ceph RGW: a 10,000-object prefix is listed and backed up with
// s3-copy, verified object by object, and a second run copies nothing; a coordinator killed in the
// middle of the listing loses or repeats no item; S3 manifests and byte ranges work.
#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/ceph_rgw.h"
#include "tests/test_cluster.h"

namespace fanout::testing {
namespace {

using nlohmann::json;

constexpr int kObjects = 10000;

std::string Key(int i) {
  // Every seventh key has a space, a plus, a percent sign and non-ASCII letters.
  return absl::StrCat("data/", i % 16, "/", i % 7 == 0 ? "ключ файл+%ü " : "obj-", i, ".txt");
}

class S3FanoutTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<std::unique_ptr<CephRgw>> rgw = CephRgw::Start();
    ASSERT_TRUE(rgw.ok()) << rgw.status();
    rgw_ = rgw->release();
    s3::S3Client client(rgw_->Config());
    ASSERT_TRUE(client.CreateBucket("src").ok());
    ASSERT_TRUE(client.CreateBucket("dst").ok());
    const absl::Time start = absl::Now();
    std::atomic<int> next{0}, failed{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 16; ++t) {
      threads.emplace_back([&] {
        s3::S3Client c(rgw_->Config());
        for (int i; (i = next++) < kObjects;) {
          failed += !c.Put("src", Key(i), absl::StrCat("object ", i, "\n")).ok();
        }
      });
    }
    for (std::thread& t : threads) t.join();
    ASSERT_EQ(failed.load(), 0);
    std::cout << "uploaded " << kObjects << " objects in " << absl::Now() - start << "\n";
  }
  static void TearDownTestSuite() { delete rgw_; }

  static std::map<std::string, s3::ObjectInfo> ListAll(const std::string& bucket,
                                                       const std::string& prefix) {
    s3::S3Client client(rgw_->Config());
    std::map<std::string, s3::ObjectInfo> out;
    std::string token;
    do {
      absl::StatusOr<s3::ListPage> page = client.List(bucket, prefix, token);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) break;
      for (s3::ObjectInfo& o : page->objects) out[o.key] = o;
      token = page->next_token;
    } while (!token.empty());
    return out;
  }

  static CephRgw* rgw_;
};
CephRgw* S3FanoutTest::rgw_ = nullptr;

TEST_F(S3FanoutTest, BackupCopiesEveryObjectVerifiedAndASecondRunCopiesNothing) {
  TestCluster cluster("backup", rgw_->Environment());
  ASSERT_TRUE(cluster.StartCoordinator().ok());
  ASSERT_TRUE(cluster.StartWorker("w1", 8).ok());
  ASSERT_TRUE(cluster.StartWorker("w2", 8).ok());
  auto backup = [&](const std::string& run) {
    CommandResult r =
        cluster.Cli({"submit", "--function=builtin:s3-copy", "--source=s3://src/data/", "--param",
                     "dest=s3://dst/backup/", "--batch_size=10", "--idempotency_key=" + run,
                     "--wait", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out)["job_id"].get<std::string>();
  };
  auto copied = [&](const std::string& job_id) {
    int n = 0, items = 0;
    const std::vector<v1::ItemResult> results = *cluster.Results(job_id);
    for (const v1::ItemResult& r : results) {
      ++items;
      n += json::parse(r.result())["copied"].get<bool>();
    }
    EXPECT_EQ(items, kObjects);
    return n;
  };
  const std::string first = backup("night-1");
  EXPECT_EQ(copied(first), kObjects);
  std::map<std::string, s3::ObjectInfo> source = ListAll("src", "data/");
  std::map<std::string, s3::ObjectInfo> copy = ListAll("dst", "backup/");
  ASSERT_EQ(source.size(), kObjects);
  ASSERT_EQ(copy.size(), kObjects);
  for (const auto& [key, object] : source) {
    auto it = copy.find("backup/" + key);
    ASSERT_NE(it, copy.end()) << key;
    EXPECT_EQ(it->second.size, object.size) << key;
    EXPECT_EQ(it->second.etag, object.etag) << key;
  }
  const std::string second = backup("night-2");
  EXPECT_EQ(copied(second), 0) << "the second run found everything in place";
}

TEST_F(S3FanoutTest, KillingTheCoordinatorDuringTheListingLosesOrRepeatsNoItem) {
  TestCluster cluster("listkill", rgw_->Environment());
  const std::vector<std::string> flags = {"--split_chunk=100", "--split_ahead=300"};
  ASSERT_TRUE(cluster.StartCoordinator(flags).ok());
  ASSERT_TRUE(cluster.StartWorker("w1", 4).ok());
  v1::JobSpec spec;
  spec.set_function("builtin:noop");
  spec.set_source("s3://src/data/");
  absl::StatusOr<v1::Job> job = cluster.Submit(spec);
  ASSERT_TRUE(job.ok()) << job.status();
  bool interrupted = false;
  for (absl::Time end = absl::Now() + absl::Seconds(60); absl::Now() < end && !interrupted;) {
    absl::StatusOr<v1::Job> now = cluster.GetJob(job->job_id());
    ASSERT_TRUE(now.ok());
    ASSERT_FALSE(now->split_done()) << "the listing ended before the kill: the test proves nothing";
    if (now->counts().total() >= 1000) {
      cluster.KillCoordinator();
      interrupted = true;
    }
  }
  ASSERT_TRUE(interrupted);
  ASSERT_TRUE(cluster.StartCoordinator(flags).ok());
  absl::StatusOr<v1::Job> done = cluster.WaitForJob(job->job_id(), absl::Minutes(3));
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->state(), v1::JOB_SUCCEEDED);
  EXPECT_EQ(done->counts().total(), kObjects);
  std::multiset<std::string> keys;
  const std::vector<v1::ItemResult> results = *cluster.Results(job->job_id());
  for (const v1::ItemResult& r : results) {
    keys.insert(json::parse(r.item())["key"].get<std::string>());
  }
  std::set<std::string> want;
  for (int i = 0; i < kObjects; ++i) want.insert(Key(i));
  EXPECT_EQ(keys.size(), kObjects) << "no item twice";
  EXPECT_EQ(std::set<std::string>(keys.begin(), keys.end()), want) << "no item lost";
}

TEST_F(S3FanoutTest, ManifestsAndByteRangesInS3) {
  s3::S3Client client(rgw_->Config());
  std::string manifest;
  for (int i = 0; i < 50; ++i)
    absl::StrAppend(&manifest, json{{"bucket", "src"}, {"key", Key(i)}}.dump(), "\n");
  ASSERT_TRUE(client.Put("src", "lists/manifest.jsonl", manifest).ok());
  std::string big;
  for (int i = 0; i < 300000; ++i) absl::StrAppend(&big, "line ", i, "\n");  // ~3.5 MB
  ASSERT_TRUE(client.Put("src", "big/log.txt", big).ok());

  TestCluster cluster("manifests", rgw_->Environment());
  ASSERT_TRUE(cluster.StartCoordinator().ok());
  ASSERT_TRUE(cluster.StartWorker("w", 4).ok());
  CommandResult lines =
      cluster.Cli({"submit", "--function=builtin:lines",
                   "--source=s3-manifest://src/lists/manifest.jsonl", "--wait", "--json"});
  ASSERT_EQ(lines.exit_code, 0) << lines.err;
  EXPECT_EQ(json::parse(lines.out)["total"], 50);
  const std::vector<v1::ItemResult> counted = *cluster.Results(json::parse(lines.out)["job_id"]);
  for (const v1::ItemResult& r : counted) {
    EXPECT_EQ(json::parse(r.result())["lines"], 1);
  }
  CommandResult ranges = cluster.Cli(
      {"submit", "--function=builtin:lines", "--source=s3://src/big/", "--split_bytes=1MiB",
       "--results=s3://dst/results", "--reduce=builtin:sum", "--wait", "--json"});
  ASSERT_EQ(ranges.exit_code, 0) << ranges.err;
  std::vector<std::string> out = absl::StrSplit(ranges.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(out.size(), 2) << "the job, then its reduce";
  const std::string job_id = json::parse(out[0])["job_id"];
  const json fan_in = json::parse(out[0])["fan_in"];
  EXPECT_EQ(fan_in["manifest"], "s3://dst/results/" + job_id + "/manifest.json");
  EXPECT_EQ(fan_in["result_files"][0], "s3://dst/results/" + job_id + "/results-00000.jsonl");
  json written =
      json::parse(*client.Get("dst", absl::StrCat("results/", job_id, "/manifest.json")));
  EXPECT_EQ(written["results"]["items"], 4);
  EXPECT_TRUE(client.Head("dst", absl::StrCat("results/", job_id, "/failed-00000.jsonl")).ok());
  json reduce = json::parse(out[1]);
  EXPECT_EQ(reduce["state"], "succeeded");
  EXPECT_EQ(reduce["result"]["sum"]["newlines"], 300000)
      << "the reduce read the result manifest back from the bucket";
  std::vector<v1::ItemResult> parts = *cluster.Results(job_id);
  EXPECT_EQ(parts.size(), (big.size() + (1 << 20) - 1) >> 20);
  int64_t newlines = 0;
  for (const v1::ItemResult& r : parts)
    newlines += json::parse(r.result())["newlines"].get<int64_t>();
  EXPECT_EQ(newlines, 300000) << "the ranges cover the object exactly";
}

TEST_F(S3FanoutTest, WrongCredentialsAreRefusedAtSubmitSayingWhy) {
  std::vector<std::string> env = rgw_->Environment();
  for (std::string& e : env) {
    if (absl::StartsWith(e, "AWS_SECRET_ACCESS_KEY=")) e = "AWS_SECRET_ACCESS_KEY=wrong";
  }
  TestCluster cluster("badcreds", env);
  ASSERT_TRUE(cluster.StartCoordinator().ok());
  CommandResult r = cluster.Cli({"submit", "--function=builtin:noop", "--source=s3://src/data/"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("SignatureDoesNotMatch"), std::string::npos) << r.err;
}

TEST_F(S3FanoutTest, AMissingBucketIsRefusedAtSubmit) {
  TestCluster cluster("nobucket", rgw_->Environment());
  ASSERT_TRUE(cluster.StartCoordinator().ok());
  CommandResult r = cluster.Cli({"submit", "--function=builtin:noop", "--source=s3://no-such/x"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("NoSuchBucket"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace fanout::testing
