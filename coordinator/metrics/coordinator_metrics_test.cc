#include "coordinator/metrics/coordinator_metrics.h"

#include "common/metrics_http.h"
#include "common/proto_time.h"
#include "gtest/gtest.h"

namespace fanout::coordinator {
namespace {

std::string Scrape(prometheus::Registry& registry) { return MetricsResponse(registry).body; }

bool Has(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

JobGauge Job(const std::string& id, uint64_t pending, uint64_t succeeded,
             std::optional<absl::Time> since) {
  JobGauge g;
  g.job_id = id;
  g.function = "builtin:noop";
  g.state = v1::JOB_RUNNING;
  g.counts.set_pending(pending);
  g.counts.set_succeeded(succeeded);
  g.counts.set_total(pending + succeeded);
  g.oldest_pending_since = since;
  return g;
}

TEST(CoordinatorMetricsTest, CountersFollowTheTotalsAndNeverGoBack) {
  prometheus::Registry registry;
  CoordinatorMetrics metrics(registry);
  const absl::Time now = absl::FromUnixSeconds(1000);
  TaskTotals totals;
  totals.succeeded = 7;
  totals.dispatched = 9;
  totals.gb_seconds = 1.5;
  metrics.Refresh(totals, {}, {}, now, absl::Seconds(10));
  totals.succeeded = 10;
  metrics.Refresh(totals, {}, {}, now, absl::Seconds(10));
  std::string text = Scrape(registry);
  EXPECT_TRUE(Has(text, "fanout_tasks_succeeded_total 10")) << text;
  EXPECT_TRUE(Has(text, "fanout_tasks_dispatched_total 9")) << text;
  EXPECT_TRUE(Has(text, "fanout_invocation_gigabyte_seconds_total 1.5")) << text;
  totals.succeeded = 3;  // a smaller total (never expected) must not lower a counter
  metrics.Refresh(totals, {}, {}, now, absl::Seconds(10));
  EXPECT_TRUE(Has(Scrape(registry), "fanout_tasks_succeeded_total 10"));
}

TEST(CoordinatorMetricsTest, PerJobSeriesComeAndGoWithTheirJobs) {
  prometheus::Registry registry;
  CoordinatorMetrics metrics(registry);
  const absl::Time now = absl::FromUnixSeconds(1000);
  metrics.Refresh({}, {Job("j-1", 5, 2, now - absl::Seconds(42)), Job("j-2", 0, 3, std::nullopt)},
                  {}, now, absl::Seconds(10));
  std::string text = Scrape(registry);
  EXPECT_TRUE(Has(text, R"(fanout_backlog_tasks{function="builtin:noop",job_id="j-1"} 5)")) << text;
  EXPECT_TRUE(
      Has(text, R"(fanout_oldest_pending_age_seconds{function="builtin:noop",job_id="j-1"} 42)"));
  EXPECT_TRUE(
      Has(text, R"(fanout_tasks{function="builtin:noop",job_id="j-2",state="succeeded"} 3)"));
  EXPECT_TRUE(Has(text, R"(fanout_jobs{state="running"} 2)"));
  metrics.Refresh({}, {Job("j-2", 0, 3, std::nullopt)}, {}, now, absl::Seconds(10));
  text = Scrape(registry);
  EXPECT_EQ(text.find("j-1"), std::string::npos) << "a job no longer listed loses its series";
  EXPECT_TRUE(Has(text, R"(fanout_jobs{state="running"} 1)"));
}

TEST(CoordinatorMetricsTest, WorkersAliveWithinTheTtlAndTheirHeartbeatAge) {
  prometheus::Registry registry;
  CoordinatorMetrics metrics(registry);
  const absl::Time now = absl::FromUnixSeconds(1000);
  v1::WorkerStatus fresh, gone;
  fresh.set_worker_id("w-fresh");
  ToProto(now - absl::Seconds(1), fresh.mutable_last_seen());
  gone.set_worker_id("w-gone");
  ToProto(now - absl::Seconds(60), gone.mutable_last_seen());
  metrics.Refresh({}, {}, {fresh, gone}, now, absl::Seconds(10));
  const std::string text = Scrape(registry);
  EXPECT_TRUE(Has(text, "fanout_workers 1")) << text;
  EXPECT_TRUE(Has(text, R"(fanout_worker_last_heartbeat_age_seconds{worker_id="w-gone"} 60)"));
}

TEST(CoordinatorMetricsTest, EventTimeObservations) {
  prometheus::Registry registry;
  CoordinatorMetrics metrics(registry);
  metrics.CheckpointCall(3, 1, absl::Milliseconds(2));
  metrics.ReportsRefused(2);
  metrics.DiskWrite(17, absl::Milliseconds(1));
  metrics.Rpc("/fanout.v1.WorkerService/LeaseTasks", absl::Milliseconds(3));
  const std::string text = Scrape(registry);
  EXPECT_TRUE(Has(text, "fanout_checkpoint_commits_total 3"));
  EXPECT_TRUE(Has(text, "fanout_stale_epoch_refusals_total 3"));
  EXPECT_TRUE(Has(text, "fanout_store_group_commit_batch_size_sum 17"));
  EXPECT_TRUE(Has(text, "fanout_checkpoint_commit_seconds_count 1"));
  EXPECT_TRUE(Has(
      text, R"(fanout_rpc_duration_seconds_count{method="/fanout.v1.WorkerService/LeaseTasks"} 1)"))
      << text;
}

}  // namespace
}  // namespace fanout::coordinator
