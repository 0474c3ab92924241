// examples/triggers/webhook-noop, used as is by a real fanout-trigger: the same S3 event POSTed
// twice is one job whose item carries the object's bucket, key, size and eTag (as `fanout list
// --json` and `fanout results` show); malformed, unknown and oversized posts get 4xx and the next
// good event still runs; a coordinator that is down gets the sender a 503.
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/free_port.h"
#include "tests/http_client.h"
#include "tests/test_cluster.h"
#include "tests/trigger_jobs.h"
#include "tests/trigger_process.h"

namespace fanout::testing {
namespace {

using nlohmann::json;

// As Ceph RGW posts it (keys raw UTF-8).
std::string RgwEvent(const std::string& key, const std::string& name = "ObjectCreated:Put") {
  json record = {{"eventVersion", "2.2"},
                 {"eventSource", "ceph:s3"},
                 {"eventName", name},
                 {"s3",
                  {{"bucket", {{"name", "uploads"}}},
                   {"object",
                    {{"key", key},
                     {"size", 12},
                     {"eTag", "6f5902ac237024bdd0c176cb93063dc4"},
                     {"versionId", ""},
                     {"sequencer", "F3B9096B87E1E012"}}}}}};
  return json{{"Records", {record}}}.dump();
}

s3::HttpResponse Post(const TriggerProcess& trigger, const std::string& body) {
  absl::StatusOr<s3::HttpResponse> response = HttpPost(trigger.url(), body);
  EXPECT_TRUE(response.ok()) << response.status();
  return response.ok() ? *response : s3::HttpResponse{};
}

TEST(TriggerExampleTest, AReplayedEventIsOneJobCarryingTheObject) {
  TestCluster cluster("example");
  ASSERT_TRUE(cluster.StartCoordinator().ok());
  ASSERT_TRUE(cluster.StartWorker("w", 2).ok());
  TriggerProcess trigger("example", Runfile("examples/triggers/webhook-noop.json"),
                         cluster.address());
  ASSERT_TRUE(trigger.Start().ok());

  const std::string body = RgwEvent("in/hello wörld+1.txt");
  s3::HttpResponse first = Post(trigger, body);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(json::parse(first.body)["accepted"], 1);
  s3::HttpResponse second = Post(trigger, body);
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(json::parse(second.body)["duplicates"], 1);
  const std::string job_id = json::parse(first.body)["jobs"][0];
  EXPECT_EQ(json::parse(second.body)["jobs"][0], job_id);
  ASSERT_TRUE(cluster.WaitForJob(job_id, absl::Seconds(30)).ok());

  CommandResult list = cluster.Cli({"list", "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  const json jobs = json::parse(list.out);
  ASSERT_EQ(jobs.size(), 1u) << list.out;
  EXPECT_EQ(jobs[0]["job_id"], job_id);
  CommandResult results = cluster.Cli({"results", job_id});
  ASSERT_EQ(results.exit_code, 0) << results.err;
  const json line = json::parse(results.out);
  EXPECT_EQ(line["state"], "succeeded");
  EXPECT_EQ(line["item"], json::parse(R"({"bucket": "uploads", "key": "in/hello wörld+1.txt",
      "size": 12, "etag": "6f5902ac237024bdd0c176cb93063dc4"})"));
}

TEST(TriggerExampleTest, BadPostsAre4xxAndTheNextGoodEventRuns) {
  TestCluster cluster("bad-posts");
  ASSERT_TRUE(cluster.StartCoordinator().ok());
  TriggerProcess trigger("bad-posts", Runfile("examples/triggers/webhook-noop.json"),
                         cluster.address());
  ASSERT_TRUE(trigger.Start().ok());

  s3::HttpResponse malformed = Post(trigger, "{\"Records\": [");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_NE(malformed.body.find("not valid JSON"), std::string::npos) << malformed.body;
  s3::HttpResponse unknown = Post(trigger, RgwEvent("a.txt", "ObjectTeleported:Away"));
  EXPECT_EQ(unknown.status, 400);
  EXPECT_NE(unknown.body.find("eventName"), std::string::npos) << unknown.body;
  s3::HttpResponse oversized = Post(trigger, std::string(2 << 20, ' '));  // limit: 1 MiB
  EXPECT_EQ(oversized.status, 413);
  EXPECT_NE(oversized.body.find("max_body_bytes"), std::string::npos) << oversized.body;

  s3::HttpResponse good = Post(trigger, RgwEvent("b.txt"));
  EXPECT_EQ(good.status, 200) << good.body;
  EXPECT_EQ(json::parse(good.body)["accepted"], 1);

  cluster.KillCoordinator(SIGKILL);
  s3::HttpResponse down = Post(trigger, RgwEvent("c.txt"));
  EXPECT_EQ(down.status, 503) << down.body;
  ASSERT_TRUE(cluster.StartCoordinator().ok());  // the sender's retry then goes through
  s3::HttpResponse retried = Post(trigger, RgwEvent("c.txt"));
  EXPECT_EQ(retried.status, 200) << retried.body;
  EXPECT_EQ(json::parse(retried.body)["accepted"], 1);
}

TEST(TriggerExampleTest, FanoutDevRunsTheTriggerInItsProcess) {
  const std::string dir = TestDir("dev");
  std::filesystem::create_directories(dir);
  const int webhook = FreePortBelowEphemeral();
  auto dev = Process::Spawn(
      Runfile("cli/fanout"),
      {"dev", "--data_dir=" + dir + "/data", "--listen=127.0.0.1:0", "--port_file=" + dir + "/port",
       "--http_listen=", "--trigger_config=" + Runfile("examples/triggers/webhook-noop.json"),
       absl::StrCat("--trigger_listen=127.0.0.1:", webhook)},
      ArtifactDir() + "/fanout-dev.log");
  ASSERT_TRUE(dev.ok()) << dev.status();
  // The port file is written once the trigger serves too.
  absl::StatusOr<int> port = AwaitPortFile(**dev, dir + "/port", "fanout dev");
  ASSERT_TRUE(port.ok()) << port.status();
  // The README's quick start: curl -d @examples/triggers/events/s3-object-created.json.
  std::ifstream sample(Runfile("examples/triggers/events/s3-object-created.json"));
  const std::string event((std::istreambuf_iterator<char>(sample)),
                          std::istreambuf_iterator<char>());
  ASSERT_FALSE(event.empty());
  absl::StatusOr<s3::HttpResponse> posted =
      HttpPost(absl::StrCat("http://127.0.0.1:", webhook, "/"), event);
  ASSERT_TRUE(posted.ok()) << posted.status();
  ASSERT_EQ(posted->status, 200) << posted->body;
  const std::string job = json::parse(posted->body)["jobs"][0];
  // `watch` follows the job until it ends and exits 0 only if it succeeded.
  CommandResult watched = RunCommand(
      Runfile("cli/fanout"), {"watch", job, absl::StrCat("--coordinator=127.0.0.1:", *port)},
      absl::Seconds(30));
  EXPECT_EQ(watched.exit_code, 0) << job << " did not succeed: " << watched.out << watched.err;
}

// The README's schedule quick start: a noop job every 10 s, the first within 10 s of the start.
TEST(TriggerExampleTest, TheEveryTenSecondsExampleRunsAJobWithinTenSeconds) {
  const std::string dir = TestDir("dev-every");
  std::filesystem::create_directories(dir);
  auto dev = Process::Spawn(
      Runfile("cli/fanout"),
      {"dev", "--data_dir=" + dir + "/data", "--listen=127.0.0.1:0", "--port_file=" + dir + "/port",
       "--http_listen=", "--trigger_config=" + Runfile("examples/triggers/every-10s.json")},
      ArtifactDir() + "/fanout-dev-every.log");
  ASSERT_TRUE(dev.ok()) << dev.status();
  absl::StatusOr<int> port = AwaitPortFile(**dev, dir + "/port", "fanout dev");
  ASSERT_TRUE(port.ok()) << port.status();
  const absl::Time deadline = absl::Now() + absl::Seconds(13);
  json jobs = json::array();
  while (jobs.empty() && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(250));
    CommandResult listed = RunCommand(
        Runfile("cli/fanout"), {"list", "--json", absl::StrCat("--coordinator=127.0.0.1:", *port)});
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    jobs = json::parse(listed.out);
  }
  ASSERT_FALSE(jobs.empty()) << "no job within 13 s";
  EXPECT_EQ(jobs[0]["function"], "builtin:noop");
}

TEST(TriggerExampleTest, ABatchingWindowRunsEachEventOnceAcrossBatches) {
  TestCluster cluster("batched");
  ASSERT_TRUE(cluster.StartCoordinator().ok());
  ASSERT_TRUE(cluster.StartWorker("w", 2).ok());
  const std::string config = TestDir("batched.json");
  std::ofstream(config) << R"({"rules": [{"name": "b", "source": {"type": "webhook"},
      "batch": {"max_events": 4, "max_wait": "2s"}, "job": {"function": "builtin:noop"}}]})";
  TriggerProcess trigger("batched", config, cluster.address());
  ASSERT_TRUE(trigger.Start().ok());
  auto post_all = [&](const std::vector<std::string>& keys) {
    std::vector<std::thread> posters;
    for (const std::string& key : keys) {
      posters.emplace_back([&, key] { EXPECT_EQ(Post(trigger, RgwEvent(key)).status, 200); });
    }
    for (std::thread& t : posters) t.join();
  };
  post_all({"e0", "e1", "e2", "e3", "e4", "e5", "e6", "e7"});
  post_all({"e1", "e2", "e8"});  // two redelivered into a new batch, one new

  std::map<std::string, int> runs;
  size_t jobs = 0;
  for (const auto& [source, list] : TriggerJobs(cluster, "b")) {
    for (const v1::Job& job : list) {
      ASSERT_TRUE(cluster.WaitForJob(job.job_id(), absl::Seconds(30)).ok());
      ++jobs;
      absl::StatusOr<std::vector<v1::ItemResult>> results = cluster.Results(job.job_id());
      ASSERT_TRUE(results.ok());
      for (const v1::ItemResult& r : *results) {
        EXPECT_EQ(r.state(), v1::TASK_SUCCEEDED);
        ++runs[json::parse(r.item())["key"]];
      }
    }
  }
  EXPECT_LT(jobs, 9u);  // batched
  ASSERT_EQ(runs.size(), 9u);
  for (const auto& [key, n] : runs) EXPECT_EQ(n, 1) << key;
}

// The scheduled times of the jobs a schedule rule made, each once.
std::set<std::string> ScheduledTimes(TestCluster& cluster, size_t* jobs) {
  CommandResult list = cluster.Cli({"list", "--json", "--limit=1000"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  std::set<std::string> times;
  *jobs = 0;
  for (const json& job : json::parse(list.out)) {
    if (job["state"] != "succeeded") continue;
    ++*jobs;
    times.insert(job["params"]["scheduled_time"].get<std::string>());
  }
  return times;
}

TEST(TriggerExampleTest, AScheduleFiresEverySecondOnceAcrossAKill) {
  TestCluster cluster("schedule");
  ASSERT_TRUE(cluster.StartCoordinator().ok());
  ASSERT_TRUE(cluster.StartWorker("w", 2).ok());
  const std::string config = TestDir("schedule.json");
  std::ofstream(config) << R"({"rules": [{"name": "tick",
      "source": {"type": "schedule", "cron": "@every 1s"}, "job": {"function": "builtin:noop"}}]})";
  TriggerProcess trigger("schedule", config, cluster.address());
  ASSERT_TRUE(trigger.Start().ok());
  absl::SleepFor(absl::Milliseconds(3500));
  trigger.Kill(SIGKILL);
  ASSERT_TRUE(trigger.Start().ok());  // fires the second it restarted in again: no new job
  absl::SleepFor(absl::Milliseconds(2500));
  trigger.Kill(SIGTERM);
  for (const auto& [item, list] : TriggerJobs(cluster, "tick")) {  // the last jobs end
    for (const v1::Job& job : list)
      ASSERT_TRUE(cluster.WaitForJob(job.job_id(), absl::Seconds(30)).ok());
  }

  size_t jobs = 0;
  const std::set<std::string> times = ScheduledTimes(cluster, &jobs);
  EXPECT_EQ(jobs, times.size());  // no time fired twice
  EXPECT_GE(times.size(), 5u);
  // Consecutive seconds: none skipped across the kill.
  absl::Time first, last;
  std::string error;
  ASSERT_TRUE(absl::ParseTime("%Y-%m-%dT%H:%M:%SZ", *times.begin(), &first, &error));
  ASSERT_TRUE(absl::ParseTime("%Y-%m-%dT%H:%M:%SZ", *times.rbegin(), &last, &error));
  EXPECT_EQ(absl::ToInt64Seconds(last - first) + 1, static_cast<int64_t>(times.size()));
}

}  // namespace
}  // namespace fanout::testing
