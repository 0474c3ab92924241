// Prometheus metrics on all three processes during a real job: every exposition passes
// `promtool check metrics`, the backlog is seen and falls to 0, and the counters agree with
// `fanout status` and `fanout cost`.
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/free_port.h"
#include "tests/http_client.h"
#include "tests/metrics_text.h"
#include "tests/test_cluster.h"
#include "tests/trigger_process.h"

namespace fanout::testing {
namespace {

using nlohmann::json;

constexpr int kItems = 300;

std::string Listen(int port) { return absl::StrCat("127.0.0.1:", port); }

std::string S3Event(const std::string& key) {
  json record = {{"eventVersion", "2.2"},
                 {"eventSource", "ceph:s3"},
                 {"eventName", "ObjectCreated:Put"},
                 {"s3",
                  {{"bucket", {{"name", "uploads"}}},
                   {"object", {{"key", key}, {"size", 3}, {"eTag", "abc"}, {"sequencer", "01"}}}}}};
  return json{{"Records", {record}}}.dump();
}

long Post(const TriggerProcess& trigger, const std::string& body) {
  absl::StatusOr<s3::HttpResponse> response = HttpPost(trigger.url(), body);
  return response.ok() ? response->status : 0;
}

json StatusJson(TestCluster& cluster, const std::string& job_id) {
  CommandResult r = cluster.Cli({"status", job_id, "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return json::parse(r.out, nullptr, false);
}

TEST(MetricsScrapeTest, AllThreeProcessesDuringARealJob) {
  TestCluster cluster("metrics");
  const int http = FreePortBelowEphemeral(), coordinator_metrics = FreePortBelowEphemeral(),
            worker_metrics = FreePortBelowEphemeral(), trigger_metrics = FreePortBelowEphemeral();
  ASSERT_TRUE(cluster
                  .StartCoordinator({"--http_listen=" + Listen(http),
                                     "--metrics_listen=" + Listen(coordinator_metrics)})
                  .ok());
  ASSERT_TRUE(cluster.StartWorker("w1", 4, {"--metrics_listen=" + Listen(worker_metrics)}).ok());
  TriggerProcess trigger("metrics", Runfile("examples/triggers/webhook-noop.json"),
                         cluster.address(), {}, {"--metrics_listen=" + Listen(trigger_metrics)});
  ASSERT_TRUE(trigger.Start().ok());

  v1::JobSpec spec;
  spec.set_function("builtin:sleep");
  spec.set_source(absl::StrCat("range:1-", kItems));
  spec.set_params_json(R"({"ms": 20})");
  spec.mutable_options()->set_memory_mb(256);
  absl::StatusOr<v1::Job> job = cluster.Submit(spec);
  ASSERT_TRUE(job.ok()) << job.status();
  const std::string id = job->job_id();
  const std::string of_job = absl::StrCat("job_id=\"", id, "\"");

  // The same upload notified twice: one job, one duplicate.
  ASSERT_EQ(Post(trigger, S3Event("in/a.txt")), 200);
  ASSERT_EQ(Post(trigger, S3Event("in/a.txt")), 200);

  // While it runs: each exposition is valid, and the backlog is there.
  double max_backlog = 0;
  bool checked = false;
  while (cluster.GetJob(id)->state() == v1::JOB_RUNNING) {
    absl::StatusOr<std::string> text = Scrape(coordinator_metrics);
    ASSERT_TRUE(text.ok()) << text.status();
    max_backlog = std::max(max_backlog, SumOf(*text, "fanout_backlog_tasks", {of_job}));
    if (!checked) {
      for (int port : {http, coordinator_metrics, worker_metrics, trigger_metrics}) {
        absl::StatusOr<std::string> each = Scrape(port);
        ASSERT_TRUE(each.ok()) << port << ": " << each.status();
        EXPECT_TRUE(PromtoolCheck(*each).ok()) << port << ": " << PromtoolCheck(*each);
      }
      EXPECT_GT(SumOf(*text, "fanout_oldest_pending_age_seconds", {of_job}), 0);
      checked = true;
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
  ASSERT_TRUE(checked) << "the job ended before the first scrape";
  EXPECT_GT(max_backlog, 0);
  ASSERT_EQ(cluster.WaitForJob(id, absl::Seconds(60))->state(), v1::JOB_SUCCEEDED);

  // After it: the counters agree with `fanout status` (the trigger's job ran one noop too).
  const json status = StatusJson(cluster, id);
  ASSERT_EQ(status["succeeded"], kItems);
  absl::StatusOr<std::string> text = Scrape(coordinator_metrics);
  ASSERT_TRUE(text.ok());
  ASSERT_TRUE(PromtoolCheck(*text).ok()) << PromtoolCheck(*text);
  EXPECT_EQ(SumOf(*text, "fanout_tasks", {of_job, "state=\"succeeded\""}), kItems);
  EXPECT_EQ(SumOf(*text, "fanout_backlog_tasks", {of_job}), 0) << "the backlog fell to 0";
  const double succeeded_total = SampleValue(*text, "fanout_tasks_succeeded_total").value_or(-1);
  const double all_succeeded = SumOf(*text, "fanout_tasks", {"state=\"succeeded\""});
  EXPECT_EQ(succeeded_total, all_succeeded) << "one job of the trigger's, one of ours";
  EXPECT_EQ(succeeded_total, kItems + 1);
  EXPECT_EQ(SampleValue(*text, "fanout_tasks_dispatched_total"), kItems + 1);
  EXPECT_EQ(SampleValue(*text, "fanout_invocations_total"), kItems + 1);
  EXPECT_EQ(SampleValue(*text, R"(fanout_jobs{state="succeeded"})"), 2);
  EXPECT_EQ(SampleValue(*text, "fanout_workers"), 1);
  EXPECT_GT(SumOf(*text, "fanout_rpc_duration_seconds_count",
                  {"method=\"/fanout.v1.WorkerService/ReportResults\""}),
            0);
  EXPECT_GT(SampleValue(*text, "fanout_store_group_commit_batch_size_count").value_or(0), 0);

  // The worker ran every one of them, timed by function.
  absl::StatusOr<std::string> worker = Scrape(worker_metrics);
  ASSERT_TRUE(worker.ok());
  EXPECT_EQ(SampleValue(*worker, "fanout_worker_slots"), 4);
  EXPECT_EQ(SampleValue(*worker, "fanout_worker_slots_busy"), 0);
  EXPECT_EQ(SumOf(*worker, "fanout_worker_invocations_total",
                  {"function=\"builtin:sleep\"", "outcome=\"succeeded\""}),
            kItems);
  EXPECT_GE(SumOf(*worker, "fanout_invocation_duration_seconds_sum", {"builtin:sleep"}),
            kItems * 0.020);

  // The trigger: two events, one deduplicated, one job.
  absl::StatusOr<std::string> triggered = Scrape(trigger_metrics);
  ASSERT_TRUE(triggered.ok());
  const std::string rule = "rule=\"webhook-noop\"";
  EXPECT_EQ(SumOf(*triggered, "fanout_trigger_events_received_total", {rule}), 2);
  EXPECT_EQ(SumOf(*triggered, "fanout_trigger_events_deduplicated_total", {rule}), 1);
  EXPECT_EQ(SumOf(*triggered, "fanout_trigger_jobs_submitted_total", {rule}), 1);
  EXPECT_EQ(SumOf(*triggered, "fanout_trigger_accept_seconds_count", {rule}), 2);

  // Metering: one request per invocation, each at least 20 ms x 256 MB.
  CommandResult cost = cluster.Cli({"cost", id, "--json"});
  ASSERT_EQ(cost.exit_code, 0) << cost.err;
  const json c = json::parse(cost.out);
  EXPECT_EQ(c["requests"], kItems);
  EXPECT_EQ(c["memory_mb"], 256);
  EXPECT_GE(c["gb_seconds"].get<double>(), kItems * 0.020 * 0.25);
  EXPECT_LT(c["gb_seconds"].get<double>(), kItems * 0.200 * 0.25);
  EXPECT_GT(c["exact_total_usd"].get<double>(), 0);
}

// The seed's two pricing examples, through the CLI (the unit tests hold the arithmetic).
TEST(MetricsScrapeTest, CostReproducesTheSeedsExamples) {
  const std::string fanout = Runfile("cli/fanout");
  CommandResult first =
      RunCommand(fanout, {"cost", "--requests=3000000", "--duration=1s", "--memory_mb=512",
                          "--free_tier", "--gb_second_price=0.00001667", "--json"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_DOUBLE_EQ(json::parse(first.out)["total_usd"].get<double>(), 18.74);
  CommandResult second = RunCommand(fanout, {"cost", "--requests=30000000", "--duration=200ms",
                                             "--memory_mb=128", "--free_tier", "--json"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_DOUBLE_EQ(json::parse(second.out)["total_usd"].get<double>(), 11.63);
  CommandResult text = RunCommand(
      fanout, {"cost", "--requests=3000000", "--duration=1s", "--memory_mb=512", "--free_tier"});
  EXPECT_NE(text.out.find("total     $18.73"), std::string::npos) << text.out;
  CommandResult bad =
      RunCommand(fanout, {"cost", "--requests=10", "--duration=1s", "--memory_mb=64"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--memory_mb"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace fanout::testing
