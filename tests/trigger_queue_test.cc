// Queue sources through a real fanout-trigger against real servers on 127.0.0.1: a Redis Streams
// consumer group fed 600 entries — 50 of them read by a consumer that died without acknowledging
// them — while the trigger is SIGKILLed and restarted (as another consumer) in the middle: every
// entry is one job (pending entries reclaimed, none run twice), and nothing is left pending.
#include <hiredis/hiredis.h>

#include <fstream>
#include <map>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/free_port.h"
#include "tests/test_cluster.h"
#include "tests/trigger_jobs.h"
#include "tests/trigger_process.h"

namespace fanout::testing {
namespace {

using nlohmann::json;

class Redis {
 public:
  Redis() : port_(FreePortBelowEphemeral()) {
    const std::string dir = TestDir("redis");
    std::filesystem::create_directories(dir);
    auto p = Process::Spawn("/usr/bin/redis-server",
                            {"--bind", "127.0.0.1", "--port", absl::StrCat(port_), "--dir", dir,
                             "--appendonly", "yes", "--save", ""},
                            ArtifactDir() + "/redis.log");
    EXPECT_TRUE(p.ok()) << p.status();
    process_ = std::move(*p);
    for (absl::Time end = absl::Now() + absl::Seconds(10); absl::Now() < end;) {
      context_ = redisConnect("127.0.0.1", port_);
      if (context_ != nullptr && context_->err == 0) break;
      if (context_ != nullptr) redisFree(context_);
      context_ = nullptr;
      absl::SleepFor(absl::Milliseconds(50));
    }
  }
  ~Redis() {
    if (context_ != nullptr) redisFree(context_);
  }
  bool ok() const { return context_ != nullptr; }
  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }
  // Runs a command; its integer reply, or its array's length.
  long long Run(const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    std::vector<size_t> lengths;
    for (const std::string& a : args) argv.push_back(a.data()), lengths.push_back(a.size());
    auto* r = static_cast<redisReply*>(
        redisCommandArgv(context_, static_cast<int>(args.size()), argv.data(), lengths.data()));
    if (r == nullptr) return -1;
    const long long out =
        r->type == REDIS_REPLY_ARRAY ? static_cast<long long>(r->elements) : r->integer;
    freeReplyObject(r);
    return out;
  }

 private:
  int port_;
  std::unique_ptr<Process> process_;
  redisContext* context_ = nullptr;
};

TEST(TriggerQueueTest, RedisEntriesAreOneJobEachAcrossATriggerKill) {
  constexpr int kEntries = 600;
  Redis redis;
  ASSERT_TRUE(redis.ok());
  TestCluster cluster("redis");
  ASSERT_TRUE(cluster.StartCoordinator().ok());
  ASSERT_TRUE(cluster.StartWorker("w", 4).ok());
  const std::string config = TestDir("redis.json");
  std::ofstream(config) << json{{"rules",
                                 {{{"name", "orders"},
                                   {"source",
                                    {{"type", "redis"},
                                     {"address", redis.address()},
                                     {"stream", "orders"},
                                     {"group", "fanout"},
                                     {"start", "0"},
                                     {"claim_idle", "1s"},
                                     {"count", 50}}},
                                   {"job", {{"function", "builtin:noop"}}}}}}};
  // A consumer that read 50 entries and died before acknowledging them: only the reaper brings
  // them back.
  ASSERT_GE(redis.Run({"XGROUP", "CREATE", "orders", "fanout", "0", "MKSTREAM"}), 0);
  for (int i = 0; i < 50; ++i) {
    ASSERT_GE(redis.Run({"XADD", "orders", "*", "body", json{{"order", i}}.dump()}), 0);
  }
  ASSERT_EQ(redis.Run({"XREADGROUP", "GROUP", "fanout", "ghost", "COUNT", "50", "STREAMS", "orders",
                       ">"}),
            1);
  TriggerProcess trigger("redis", config, cluster.address());
  ASSERT_TRUE(trigger.Start().ok());

  for (int i = 50; i < kEntries; ++i) {
    if (i == kEntries / 2) {
      trigger.Kill(SIGKILL);  // with entries read and not yet acknowledged, likely
      ASSERT_TRUE(trigger.Start().ok());
    }
    ASSERT_GE(redis.Run({"XADD", "orders", "*", "body", json{{"order", i}}.dump()}), 0);
    if (i % 50 == 0) absl::SleepFor(absl::Milliseconds(20));
  }
  JobsByItem jobs = WaitForTriggerJobs(cluster, "orders", kEntries);
  ASSERT_EQ(jobs.size(), static_cast<size_t>(kEntries));
  for (int i = 0; i < kEntries; ++i) {
    const std::string item = json{{"order", i}}.dump();
    EXPECT_EQ(jobs[item].size(), 1u) << "order " << i;
  }
  EXPECT_EQ(redis.Run({"XPENDING", "orders", "fanout", "-", "+", "1000"}), 0);
}

// Stream fields are bytes: a binary value arrives as {"base64": ...}; an entry whose field name is
// not UTF-8, or whose body is JSON nested 100,000 deep, cannot become an item — it is acknowledged
// with a logged rejection (never left to be reclaimed forever), and the entries around it run.
TEST(TriggerQueueTest, PoisonEntriesAreAcknowledgedAndTheRestRun) {
  Redis redis;
  ASSERT_TRUE(redis.ok());
  TestCluster cluster("redis-poison");
  ASSERT_TRUE(cluster.StartCoordinator().ok());
  ASSERT_TRUE(cluster.StartWorker("w", 2).ok());
  const std::string config = TestDir("redis-poison.json");
  std::ofstream(config) << json{{"rules",
                                 {{{"name", "poison"},
                                   {"source",
                                    {{"type", "redis"},
                                     {"address", redis.address()},
                                     {"stream", "poison"},
                                     {"group", "fanout"},
                                     {"start", "0"},
                                     {"claim_idle", "1s"}}},
                                   {"job", {{"function", "builtin:noop"}}}}}}};
  ASSERT_GE(redis.Run({"XADD", "poison", "*", "name", "plain"}), 0);
  ASSERT_GE(redis.Run({"XADD", "poison", "*", "blob", std::string("\xff\x00\x01", 3)}), 0);
  ASSERT_GE(redis.Run({"XADD", "poison", "*", std::string("n\xe4me"), "x"}), 0);
  ASSERT_GE(redis.Run({"XADD", "poison", "*", "body",
                       std::string(100000, '[') + std::string(100000, ']')}),
            0);
  ASSERT_GE(redis.Run({"XADD", "poison", "*", "name", "last"}), 0);
  TriggerProcess trigger("redis-poison", config, cluster.address());
  ASSERT_TRUE(trigger.Start().ok());
  JobsByItem jobs = WaitForTriggerJobs(cluster, "poison", 3);
  ASSERT_EQ(jobs.size(), 3u);
  EXPECT_EQ(jobs[R"({"name":"plain"})"].size(), 1u);
  EXPECT_EQ(jobs[R"({"name":"last"})"].size(), 1u);
  EXPECT_EQ(jobs[R"({"blob":{"base64":"/wAB"}})"].size(), 1u);
  long long pending = -1;
  for (absl::Time end = absl::Now() + absl::Seconds(10); absl::Now() < end && pending != 0;) {
    pending = redis.Run({"XPENDING", "poison", "fanout", "-", "+", "100"});
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(pending, 0) << "a poison entry was left pending, to be reclaimed forever";
  EXPECT_TRUE(trigger.process()->Running());
}

}  // namespace
}  // namespace fanout::testing
