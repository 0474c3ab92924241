// NATS JetStream through a real fanout-trigger and a real nats-server on 127.0.0.1: 600 messages on
// a stream — 50 of them fetched by a consumer that died without acknowledging them — while the
// trigger is SIGKILLed and restarted midway: every message is one job (the server redelivers the
// unacknowledged ones after AckWait; their stream sequence keeps them one job), and nothing is left
// waiting for an acknowledgement.
#include <nats/nats.h>

#include <filesystem>
#include <fstream>

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

class Nats {
 public:
  Nats() : port_(FreePortBelowEphemeral()) {
    const std::string dir = TestDir("nats");
    std::filesystem::create_directories(dir);
    auto p = Process::Spawn("/usr/sbin/nats-server",
                            {"-a", "127.0.0.1", "-p", absl::StrCat(port_), "-js", "-sd", dir},
                            ArtifactDir() + "/nats-server.log");
    EXPECT_TRUE(p.ok()) << p.status();
    process_ = std::move(*p);
    for (absl::Time end = absl::Now() + absl::Seconds(10); absl::Now() < end;) {
      if (natsConnection_ConnectTo(&nc_, url().c_str()) == NATS_OK) break;
      absl::SleepFor(absl::Milliseconds(50));
    }
    if (nc_ != nullptr) natsConnection_JetStream(&js_, nc_, nullptr);
  }
  ~Nats() {
    jsCtx_Destroy(js_);
    natsConnection_Destroy(nc_);
  }
  std::string url() const { return absl::StrCat("nats://127.0.0.1:", port_); }
  jsCtx* js() { return js_; }

 private:
  int port_;
  std::unique_ptr<Process> process_;
  natsConnection* nc_ = nullptr;
  jsCtx* js_ = nullptr;
};

jsSubOptions Durable() {
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = "EVENTS";
  so.Config.AckWait = absl::ToInt64Nanoseconds(absl::Seconds(1));
  return so;
}

bool Publish(jsCtx* js, int n) {
  const std::string data = json{{"n", n}}.dump();
  jsPubAck* ack = nullptr;
  jsErrCode jerr;
  const bool ok = js_Publish(&ack, js, "events.order", data.data(), static_cast<int>(data.size()),
                             nullptr, &jerr) == NATS_OK;
  jsPubAck_Destroy(ack);
  return ok;
}

TEST(TriggerNatsTest, MessagesAreOneJobEachAcrossATriggerKill) {
  constexpr int kMessages = 600;
  Nats nats;
  ASSERT_NE(nats.js(), nullptr);
  jsStreamConfig stream;
  jsStreamConfig_Init(&stream);
  stream.Name = "EVENTS";
  const char* subjects[] = {"events.>"};
  stream.Subjects = subjects;
  stream.SubjectsLen = 1;
  jsErrCode jerr;
  ASSERT_EQ(js_AddStream(nullptr, nats.js(), &stream, nullptr, &jerr), NATS_OK) << jerr;

  // A consumer that fetched 50 messages and died before acknowledging them.
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(Publish(nats.js(), i));
  natsSubscription* ghost = nullptr;
  jsSubOptions so = Durable();
  ASSERT_EQ(js_PullSubscribe(&ghost, nats.js(), "events.>", "fanout", nullptr, &so, &jerr),
            NATS_OK);
  natsMsgList fetched = {nullptr, 0};
  ASSERT_EQ(natsSubscription_Fetch(&fetched, ghost, 50, 5000, &jerr), NATS_OK);
  EXPECT_EQ(fetched.Count, 50);
  natsMsgList_Destroy(&fetched);
  natsSubscription_Destroy(ghost);  // not unsubscribed: the durable consumer stays

  TestCluster cluster("nats");
  ASSERT_TRUE(cluster.StartCoordinator().ok());
  ASSERT_TRUE(cluster.StartWorker("w", 4).ok());
  const std::string config = TestDir("nats.json");
  std::ofstream(config) << json{{"rules",
                                 {{{"name", "events"},
                                   {"source",
                                    {{"type", "nats"},
                                     {"address", nats.url()},
                                     {"stream", "EVENTS"},
                                     {"durable", "fanout"},
                                     {"subject", "events.>"},
                                     {"ack_wait", "1s"},
                                     {"count", 50}}},
                                   {"job", {{"function", "builtin:noop"}}}}}}};
  TriggerProcess trigger("nats", config, cluster.address());
  ASSERT_TRUE(trigger.Start().ok());
  for (int i = 50; i < kMessages; ++i) {
    if (i == kMessages / 2) {
      trigger.Kill(SIGKILL);
      ASSERT_TRUE(trigger.Start().ok());
    }
    ASSERT_TRUE(Publish(nats.js(), i));
  }

  JobsByItem jobs = WaitForTriggerJobs(cluster, "events", kMessages);
  ASSERT_EQ(jobs.size(), static_cast<size_t>(kMessages));
  for (int i = 0; i < kMessages; ++i) {
    const std::string item = json{{"n", i}}.dump();
    EXPECT_EQ(jobs[item].size(), 1u) << "message " << i;
  }
  jsConsumerInfo* info = nullptr;
  for (absl::Time end = absl::Now() + absl::Seconds(10); absl::Now() < end;) {
    jsConsumerInfo_Destroy(info);
    info = nullptr;
    ASSERT_EQ(js_GetConsumerInfo(&info, nats.js(), "EVENTS", "fanout", nullptr, &jerr), NATS_OK);
    if (info->NumAckPending == 0 && info->NumPending == 0) break;
    absl::SleepFor(absl::Milliseconds(200));
  }
  EXPECT_EQ(info->NumAckPending, 0);
  EXPECT_EQ(info->NumPending, 0u);
  jsConsumerInfo_Destroy(info);
}

}  // namespace
}  // namespace fanout::testing
