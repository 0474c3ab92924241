// AMQP through a real fanout-trigger and a private RabbitMQ on 127.0.0.1: 600 messages on a queue —
// 50 of them received by a consumer that closed without acknowledging them — while the trigger is
// SIGKILLed and restarted midway: every message is one job and the queue ends empty. And Ceph RGW
// publishing its bucket notifications to RabbitMQ: 1,000 uploads (awkward keys included) are 1,000
// jobs, each run once.
#include <amqp.h>
#include <amqp_tcp_socket.h>

#include <atomic>
#include <fstream>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/ceph_rgw.h"
#include "tests/rabbitmq.h"
#include "tests/test_cluster.h"
#include "tests/trigger_jobs.h"
#include "tests/trigger_process.h"

namespace fanout::testing {
namespace {

using nlohmann::json;

// One AMQP connection with channel 1 open.
class Amqp {
 public:
  explicit Amqp(int port) : conn_(amqp_new_connection()) {
    amqp_socket_t* socket = amqp_tcp_socket_new(conn_);
    ok_ =
        amqp_socket_open(socket, "127.0.0.1", port) == AMQP_STATUS_OK &&
        amqp_login(conn_, "/", 0, 131072, 0, AMQP_SASL_METHOD_PLAIN, "guest", "guest").reply_type ==
            AMQP_RESPONSE_NORMAL;
    if (ok_) amqp_channel_open(conn_, 1);
    ok_ = ok_ && amqp_get_rpc_reply(conn_).reply_type == AMQP_RESPONSE_NORMAL;
  }
  ~Amqp() {
    amqp_connection_close(conn_, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(conn_);
  }
  bool ok() const { return ok_; }
  // Declares the durable queue; returns how many messages wait in it.
  uint32_t Declare(const std::string& queue) {
    amqp_queue_declare_ok_t* r = amqp_queue_declare(conn_, 1, amqp_cstring_bytes(queue.c_str()), 0,
                                                    1, 0, 0, amqp_empty_table);
    return r != nullptr ? r->message_count : 0xffffffff;
  }
  bool Publish(const std::string& queue, const std::string& id, const std::string& body) {
    amqp_basic_properties_t props;
    props._flags = AMQP_BASIC_MESSAGE_ID_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG;
    props.message_id = amqp_cstring_bytes(id.c_str());
    props.delivery_mode = 2;
    amqp_bytes_t bytes{body.size(), const_cast<char*>(body.data())};  // binary-safe
    return amqp_basic_publish(conn_, 1, amqp_empty_bytes, amqp_cstring_bytes(queue.c_str()), 0, 0,
                              &props, bytes) == AMQP_STATUS_OK;
  }
  // Receives `n` messages and acknowledges none of them.
  int Receive(const std::string& queue, int n) {
    amqp_basic_qos(conn_, 1, 0, static_cast<uint16_t>(n), 0);
    amqp_basic_consume(conn_, 1, amqp_cstring_bytes(queue.c_str()), amqp_empty_bytes, 0, 0, 0,
                       amqp_empty_table);
    int got = 0;
    for (; got < n; ++got) {
      amqp_envelope_t envelope;
      timeval timeout = {5, 0};
      if (amqp_consume_message(conn_, &envelope, &timeout, 0).reply_type != AMQP_RESPONSE_NORMAL) {
        break;
      }
      amqp_destroy_envelope(&envelope);
    }
    return got;
  }

 private:
  amqp_connection_state_t conn_;
  bool ok_ = false;
};

class TriggerAmqpTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<std::unique_ptr<RabbitMq>> rabbit = RabbitMq::Start();
    ASSERT_TRUE(rabbit.ok()) << rabbit.status();
    rabbit_ = rabbit->release();
  }
  static void TearDownTestSuite() { delete rabbit_; }

  static std::string Config(const std::string& name, const json& source) {
    const std::string path = TestDir(name + ".json");
    std::ofstream(path) << json{
        {"rules", {{{"name", name}, {"source", source}, {"job", {{"function", "builtin:noop"}}}}}}};
    return path;
  }
  static RabbitMq* rabbit_;
};
RabbitMq* TriggerAmqpTest::rabbit_ = nullptr;

TEST_F(TriggerAmqpTest, MessagesAreOneJobEachAcrossATriggerKill) {
  constexpr int kMessages = 600;
  Amqp publisher(rabbit_->port());
  ASSERT_TRUE(publisher.ok());
  publisher.Declare("orders");
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(publisher.Publish("orders", absl::StrCat("m-", i), json{{"order", i}}.dump()));
  }
  {
    Amqp ghost(rabbit_->port());  // receives 50 and goes away without acknowledging them
    ASSERT_EQ(ghost.Receive("orders", 50), 50);
  }
  TestCluster cluster("amqp");
  ASSERT_TRUE(cluster.StartCoordinator().ok());
  ASSERT_TRUE(cluster.StartWorker("w", 4).ok());
  TriggerProcess trigger(
      "amqp",
      Config("orders",
             {{"type", "amqp"}, {"address", rabbit_->url()}, {"queue", "orders"}, {"count", 50}}),
      cluster.address());
  ASSERT_TRUE(trigger.Start().ok());
  for (int i = 50; i < kMessages; ++i) {
    if (i == kMessages / 2) {
      trigger.Kill(SIGKILL);
      ASSERT_TRUE(trigger.Start().ok());
    }
    ASSERT_TRUE(publisher.Publish("orders", absl::StrCat("m-", i), json{{"order", i}}.dump()));
  }
  JobsByItem jobs = WaitForTriggerJobs(cluster, "orders", kMessages);
  ASSERT_EQ(jobs.size(), static_cast<size_t>(kMessages));
  for (int i = 0; i < kMessages; ++i) {
    const std::string item = json{{"order", i}}.dump();
    EXPECT_EQ(jobs[item].size(), 1u) << "order " << i;
  }
  // Stopped, the trigger's unacknowledged messages would be back in the queue: none may be.
  trigger.Kill(SIGTERM);
  uint32_t waiting = 1;
  for (absl::Time end = absl::Now() + absl::Seconds(10); absl::Now() < end && waiting > 0;) {
    waiting = publisher.Declare("orders");
    absl::SleepFor(absl::Milliseconds(200));
  }
  EXPECT_EQ(waiting, 0u);
}

// A poison message — JSON nested 100,000 deep — is rejected once (not redelivered forever) and
// the trigger takes the messages around it: a binary body arrives as {"base64": ...}.
TEST_F(TriggerAmqpTest, PoisonBodiesAreRejectedOnceAndTheRestRun) {
  Amqp publisher(rabbit_->port());
  ASSERT_TRUE(publisher.ok());
  publisher.Declare("poison");
  TestCluster cluster("amqp-poison");
  ASSERT_TRUE(cluster.StartCoordinator().ok());
  ASSERT_TRUE(cluster.StartWorker("w", 2).ok());
  TriggerProcess trigger(
      "amqp-poison",
      Config("poison", {{"type", "amqp"}, {"address", rabbit_->url()}, {"queue", "poison"}}),
      cluster.address());
  ASSERT_TRUE(trigger.Start().ok());
  const std::string binary("\x00\xff\xfe binary\x80", 11);
  ASSERT_TRUE(publisher.Publish("poison", "before", R"({"ok": 1})"));
  ASSERT_TRUE(
      publisher.Publish("poison", "deep", std::string(100000, '[') + std::string(100000, ']')));
  ASSERT_TRUE(publisher.Publish("poison", "binary", binary));
  ASSERT_TRUE(publisher.Publish("poison", "after", R"({"ok": 2})"));
  JobsByItem jobs = WaitForTriggerJobs(cluster, "poison", 3);
  ASSERT_EQ(jobs.size(), 3u);
  EXPECT_EQ(jobs[R"({"ok":1})"].size(), 1u);
  EXPECT_EQ(jobs[R"({"ok":2})"].size(), 1u);
  EXPECT_EQ(jobs[R"({"base64":"AP/+IGJpbmFyeYA="})"].size(), 1u);
  uint32_t waiting = 1;
  for (absl::Time end = absl::Now() + absl::Seconds(10); absl::Now() < end && waiting > 0;) {
    waiting = publisher.Declare("poison");
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(waiting, 0u) << "the poison message went back to the queue";
  EXPECT_TRUE(trigger.process()->Running());
}

TEST_F(TriggerAmqpTest, EveryUploadRgwPublishesBecomesOneJobRunOnce) {
  constexpr int kUploads = 1000;
  absl::StatusOr<std::unique_ptr<CephRgw>> rgw = CephRgw::Start();
  ASSERT_TRUE(rgw.ok()) << rgw.status();
  TestCluster cluster("rgw-amqp");
  ASSERT_TRUE(cluster.StartCoordinator().ok());
  ASSERT_TRUE(cluster.StartWorker("w", 4).ok());
  // The trigger declares the exchange RGW publishes to, and its queue bound to it.
  TriggerProcess trigger("rgw-amqp",
                         Config("uploads", {{"type", "amqp"},
                                            {"address", rabbit_->url()},
                                            {"queue", "rgw-uploads"},
                                            {"exchange", "fanout-rgw"}}),
                         cluster.address());
  ASSERT_TRUE(trigger.Start().ok());
  s3::S3Client client((*rgw)->Config());
  ASSERT_TRUE(client.CreateBucket("uploads").ok());
  absl::StatusOr<std::string> arn =
      // No credentials in the URL: RGW refuses secrets over plain text (and logs in as guest).
      // Persistent: RGW queues the events and retries them, so an upload never waits on (or fails
      // with) the broker; a retried event may arrive twice, which the keys make one job.
      client.CreateTopic("fanout-amqp",
                         {{"push-endpoint", absl::StrCat("amqp://127.0.0.1:", rabbit_->port())},
                          {"amqp-exchange", "fanout-rgw"},
                          {"amqp-ack-level", "broker"},
                          {"persistent", "true"}});
  ASSERT_TRUE(arn.ok()) << arn.status();
  ASSERT_TRUE(client
                  .PutBucketNotification(
                      "uploads",
                      absl::StrCat(R"(<NotificationConfiguration xmlns="http://s3.amazonaws.com/)",
                                   R"(doc/2006-03-01/"><TopicConfiguration><Id>fanout</Id><Topic>)",
                                   *arn, "</Topic><Event>s3:ObjectCreated:*</Event>",
                                   "</TopicConfiguration></NotificationConfiguration>"))
                  .ok());
  // Wait until the trigger's session declared the exchange, or RGW's first pushes fail.
  absl::SleepFor(absl::Seconds(1));
  std::atomic<int> next{0}, failed{0};
  std::vector<std::thread> threads;
  auto key = [](int i) {
    return absl::StrCat("in/", i % 5 == 0 ? "фото с+пробелом %ü " : "obj-", i, ".txt");
  };
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      s3::S3Client c((*rgw)->Config());
      for (int i; (i = next++) < kUploads;) failed += !c.Put("uploads", key(i), "data\n").ok();
    });
  }
  for (std::thread& t : threads) t.join();
  ASSERT_EQ(failed.load(), 0);
  JobsByItem jobs = WaitForTriggerJobs(cluster, "uploads", kUploads, absl::Minutes(2));
  ASSERT_EQ(jobs.size(), static_cast<size_t>(kUploads));
  std::set<std::string> keys;
  for (const auto& [item, list] : jobs) {
    EXPECT_EQ(list.size(), 1u) << item;
    EXPECT_EQ(list.front().counts().succeeded(), 1u);
    keys.insert(json::parse(item)["key"].get<std::string>());
  }
  for (int i = 0; i < kUploads; ++i) EXPECT_TRUE(keys.count(key(i))) << key(i);
}

}  // namespace
}  // namespace fanout::testing
