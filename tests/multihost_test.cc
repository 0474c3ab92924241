// Fanout across hosts through real network faults: five network namespaces on a bridge (the
// coordinator's host, three workers' and a trigger's; a sixth for the coordinator to move to), a
// builtin:count job whose 48 tasks run 3 s each and checkpoint every 500 ms, and
// webhook events through the trigger, run once without a fault and once per fault: a worker's host
// cut off for longer than the lease TTL; the coordinator's host cut off and restored; the
// coordinator killed during such a partition; the coordinator's host dying and the coordinator
// coming back elsewhere behind its DNS name; and every worker's path spoiled by a proxy with 200 ms
// +-50 ms delay, 10% drops, or connection resets. Each run's history is checked
// (tests/multihost_checker.h): nothing lost, no task committed twice, nothing committed from a
// stale lease; partitioned workers fence themselves and come back. A table of wall time, repeated
// work and refused stale calls per fault is printed. Root only (namespaces); skipped with the
// reason elsewhere.
#include <signal.h>

#include <atomic>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/count_trace.h"
#include "tests/http_client.h"
#include "tests/job_pages.h"
#include "tests/multihost_checker.h"
#include "tests/multihost_cluster.h"

namespace fanout::testing {
namespace {

using nlohmann::json;

// Before main, while this is the only thread: the test's own network and mount namespaces.
const std::string kSkip = EnterOwnNamespaces();

constexpr int kTasks = 48;
constexpr int64_t kSteps = 3000;  // 1 ms each: 3 s per task, 12 s for the job on 12 slots
constexpr int kEvents = 20;
constexpr char kWebhookSecret[] = "multihost-webhook-secret-0123456789";
const std::vector<std::string> kWorkers = {"w1", "w2", "w3"};

struct Row {
  std::string fault;
  double wall_s = 0;
  double recovered_s = -1;  // from the heal to the first acknowledged call of the hosts cut off
  RunVerdict verdict;
  uint64_t fenced_logs = 0;
};

class MultiHostTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!kSkip.empty()) GTEST_SKIP() << "multi-host tests skipped: " << kSkip;
    absl::StatusOr<std::unique_ptr<HostNetwork>> net = HostNetwork::Create(ArtifactDir());
    ASSERT_TRUE(net.ok()) << net.status();
    net_ = std::move(*net);
    for (const std::string host : {"coord", "w1", "w2", "w3", "trigger", "coord2"}) {
      ASSERT_TRUE(net_->AddHost(host).ok()) << host;
    }
  }

  // Runs the job (and the trigger's events) with `fault` acting on it from 2 s in.
  Row Run(const std::string& name, const PathFaults& path,
          const std::function<void(MultiHostCluster&, Row&)>& fault);
  // Waits until a worker on one of `hosts` has had a call acknowledged since `heal`.
  // Seconds from `since` (default: now).
  double Recovery(MultiHostCluster& cluster, const std::vector<std::string>& hosts,
                  absl::Time since = absl::Now());

  std::unique_ptr<HostNetwork> net_;
  std::vector<Row> table_;
};

// A directory name for a fault's files.
std::string Slug(const std::string& name) {
  std::string slug;
  for (char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      slug += c;
    } else if (!slug.empty() && slug.back() != '-') {
      slug += '-';
    }
  }
  return slug;
}

std::string TriggerConfig() {
  json rule = {{"name", "uploads"},
               {"source", {{"type", "webhook"}}},
               {"auth", {{"type", "path"}, {"secret", kWebhookSecret}}},
               {"filter", {{"events", {"ObjectCreated:*"}}}},
               {"job", {{"function", "builtin:noop"}}}};
  return json{{"rules", {rule}}}.dump();
}

std::string S3Events() {
  json records = json::array();
  for (int i = 0; i < kEvents; ++i) {
    records.push_back({{"eventVersion", "2.2"},
                       {"eventSource", "ceph:s3"},
                       {"eventName", "ObjectCreated:Put"},
                       {"s3",
                        {{"bucket", {{"name", "uploads"}}},
                         {"object", {{"key", absl::StrCat("obj-", i)}, {"size", 3}}}}}});
  }
  return json{{"Records", records}}.dump();
}

// The trigger's jobs: how many, and how many succeeded.
std::pair<int, int> TriggerJobs(MultiHostCluster& cluster) {
  v1::ListJobsRequest request;
  request.set_page_size(1000);
  v1::ListJobsResponse response;
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  if (!cluster.jobs().ListJobs(&context, request, &response).ok()) return {-1, -1};
  int made = 0, succeeded = 0;
  for (const v1::Job& job : response.jobs()) {
    auto label = job.spec().labels().find("trigger");
    if (label == job.spec().labels().end()) continue;
    ++made;
    succeeded += job.state() == v1::JOB_SUCCEEDED;
  }
  return {made, succeeded};
}

// Self-fencing log lines of a worker that stopped running handlers ("... (N running) ..." with
// N > 0), in the file at `path`.
uint64_t FencedRunning(const std::string& path) {
  std::ifstream in(path);
  uint64_t n = 0;
  for (std::string line; std::getline(in, line);) {
    n += line.find("self-fencing: stopped") != std::string::npos &&
         line.find(" (0 running)") == std::string::npos;
  }
  return n;
}

double MultiHostTest::Recovery(MultiHostCluster& cluster, const std::vector<std::string>& hosts,
                               absl::Time since) {
  auto lines = [&] {
    int n = 0;
    for (const std::string& h : hosts)
      n += HistoryLines(cluster.history_dir() + "/" + h + ".jsonl");
    return n;
  };
  const int before = lines();
  while (lines() == before && absl::Now() - since < absl::Seconds(60)) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  return absl::ToDoubleSeconds(absl::Now() - since);
}

Row MultiHostTest::Run(const std::string& name, const PathFaults& path,
                       const std::function<void(MultiHostCluster&, Row&)>& fault) {
  Row row;
  row.fault = name;
  if (const char* only = std::getenv("FANOUT_MULTIHOST_ONLY");
      only != nullptr && Slug(name).find(only) == std::string::npos && name != "none") {
    return row;  // a debugging run of one fault (and the baseline)
  }
  for (const std::string host : {"coord", "w1", "w2", "w3", "trigger", "coord2"}) {
    EXPECT_TRUE(net_->Heal(host).ok()) << host;  // whatever a failed fault left cut
  }
  MultiHostCluster cluster(*net_, Slug(name), {"--lease_ttl=3s", "--lease_grace=3s"});
  EXPECT_TRUE(cluster.StartCoordinator("coord").ok());
  for (const std::string& w : kWorkers) EXPECT_TRUE(cluster.StartWorker(w, 4, path).ok()) << w;
  EXPECT_TRUE(cluster.StartTrigger("trigger", TriggerConfig()).ok());
  const absl::Time start = absl::Now();
  absl::StatusOr<v1::Job> job = cluster.Submit(
      // Longer than the lease TTL: a cut-off handler is stopped by fencing, not its time limit.
      CountJobSpec(kTasks, kSteps, 500, cluster.trace_dir(), 10));
  EXPECT_TRUE(job.ok()) << job.status();
  if (!job.ok()) return row;
  std::thread events([&] {  // the trigger retries toward the coordinator; we retry toward it
    for (int i = 0; i < 200; ++i, absl::SleepFor(absl::Milliseconds(250))) {
      absl::StatusOr<s3::HttpResponse> r =
          HttpPost(cluster.trigger_url() + kWebhookSecret, S3Events());
      if (r.ok() && r->status / 100 == 2) return;
    }
    ADD_FAILURE() << name << ": the trigger never accepted the events";
  });
  absl::SleepFor(absl::Seconds(2));
  fault(cluster, row);
  absl::StatusOr<v1::Job> done = cluster.WaitForJob(job->job_id(), absl::Minutes(4));
  row.wall_s = absl::ToDoubleSeconds(absl::Now() - start);
  events.join();
  EXPECT_TRUE(done.ok()) << name << ": " << done.status();
  if (!done.ok()) return row;
  EXPECT_EQ(done->state(), v1::JOB_SUCCEEDED) << name << ": " << done->ShortDebugString();
  absl::StatusOr<std::vector<v1::Task>> tasks = ListAllTasks(cluster.jobs(), job->job_id());
  EXPECT_TRUE(tasks.ok()) << tasks.status();
  if (!tasks.ok()) return row;
  EXPECT_EQ(tasks->size(), kTasks);
  row.verdict = CheckRun(*tasks, cluster.history_dir(), cluster.trace_dir(), kSteps);
  for (const std::string& v : row.verdict.violations) ADD_FAILURE() << name << ": " << v;
  EXPECT_EQ(row.verdict.lost, 0) << name;
  EXPECT_EQ(row.verdict.duplicate_commits, 0) << name;
  EXPECT_EQ(row.verdict.stale_commits, 0) << name;
  // A cut-off worker's handlers stop when the coordinator may hand their tasks on: two leases of a
  // task never run side by side for long (trace records are 20 ms apart).
  EXPECT_LT(row.verdict.max_overlap_ms, 500) << name;
  std::pair<int, int> triggered;
  for (int i = 0; i < 200; ++i, absl::SleepFor(absl::Milliseconds(100))) {
    triggered = TriggerJobs(cluster);
    if (triggered.first == kEvents && triggered.second == kEvents) break;
  }
  EXPECT_EQ(triggered.first, kEvents) << name << ": one job per event, none lost or doubled";
  EXPECT_EQ(triggered.second, kEvents) << name;
  for (const std::string& w : kWorkers) {
    row.fenced_logs += FencedRunning(cluster.WorkerLog(w));
  }
  return row;
}

PathFaults Path(int delay_ms, int jitter_ms, double drop, double reset_mean_s) {
  PathFaults f;
  f.delay_ms = delay_ms;
  f.jitter_ms = jitter_ms;
  f.drop = drop;
  f.reset_mean_s = reset_mean_s;
  return f;
}

void PrintTable(const std::vector<Row>& rows) {
  const double base = rows.empty() ? 0 : rows.front().wall_s;
  std::printf("\n%-30s %8s %7s %10s %9s %10s %9s %7s %7s %5s %4s\n", "fault", "wall s", "x base",
              "back in s", "repeated", "overlap ms", "stall ms", "stale", "fenced", "lost", "dup");
  for (const Row& r : rows) {
    if (r.wall_s == 0) continue;  // not run
    std::printf("%-30s %8.2f %7.2f %10s %8.1f%% %10lld %9lld %7d %7llu %5d %4d\n", r.fault.c_str(),
                r.wall_s, base > 0 ? r.wall_s / base : 0,
                r.recovered_s < 0 ? "-" : absl::StrFormat("%.2f", r.recovered_s).c_str(),
                100.0 * r.verdict.repeated_steps / (kTasks * kSteps),
                static_cast<long long>(r.verdict.max_overlap_ms),
                static_cast<long long>(r.verdict.max_stall_ms), r.verdict.stale_refused,
                static_cast<unsigned long long>(r.fenced_logs), r.verdict.lost,
                r.verdict.duplicate_commits + r.verdict.stale_commits);
  }
  std::fflush(stdout);
}

TEST_F(MultiHostTest, PartitionsDelayLossAndResetsLoseNothingAndCommitNothingTwice) {
  auto none = [](MultiHostCluster&, Row&) {};
  table_.push_back(Run("none", {}, none));

  table_.push_back(Run("worker host cut 7 s (> TTL)", {}, [&](MultiHostCluster& c, Row& row) {
    ASSERT_TRUE(net_->Cut("w1").ok());
    absl::SleepFor(absl::Seconds(7));
    ASSERT_TRUE(net_->Heal("w1").ok());
    row.recovered_s = Recovery(c, {"w1"});
  }));
  if (table_.back().wall_s > 0) {
    EXPECT_GE(table_.back().fenced_logs, 1u) << "the cut-off worker went on without its leases";
  }
  if (table_.back().wall_s > 0) {
    EXPECT_GE(table_.back().recovered_s, 0);
  }
  if (table_.back().wall_s > 0) {
    EXPECT_LT(table_.back().recovered_s, 15) << "the healed worker did not come back";
  }

  table_.push_back(Run("coordinator host cut 5 s", {}, [&](MultiHostCluster& c, Row& row) {
    ASSERT_TRUE(net_->Cut("coord").ok());
    absl::SleepFor(absl::Seconds(5));
    ASSERT_TRUE(net_->Heal("coord").ok());
    row.recovered_s = Recovery(c, kWorkers);
  }));
  if (table_.back().wall_s > 0) {
    EXPECT_GE(table_.back().fenced_logs, 1u);
  }
  if (table_.back().wall_s > 0) {
    EXPECT_LT(table_.back().recovered_s, 15);
  }

  table_.push_back(Run("coordinator killed while cut", {}, [&](MultiHostCluster& c, Row& row) {
    ASSERT_TRUE(net_->Cut("coord").ok());
    absl::SleepFor(absl::Seconds(1));
    c.KillCoordinator(SIGKILL);
    ASSERT_TRUE(c.StartCoordinator("coord").ok());
    absl::SleepFor(absl::Seconds(3));
    ASSERT_TRUE(net_->Heal("coord").ok());
    row.recovered_s = Recovery(c, kWorkers);
  }));
  if (table_.back().wall_s > 0) {
    EXPECT_LT(table_.back().recovered_s, 15);
  }

  // The coordinator's host dies (cut off, then its process killed: no reset or goodbye reaches
  // anyone) and the coordinator comes back on another host with the same data, as a StatefulSet's
  // pod rescheduled with its volume; only its DNS name leads there. Workers must give up their
  // silent connections (keepalive) and resolve the name again.
  table_.push_back(Run("coordinator host died, moved", {}, [&](MultiHostCluster& c, Row& row) {
    ASSERT_TRUE(net_->Cut("coord").ok());
    c.KillCoordinator(SIGKILL);
    const absl::Time moved = absl::Now();
    ASSERT_TRUE(c.StartCoordinator("coord2").ok());
    row.recovered_s = Recovery(c, kWorkers, moved);
    ASSERT_TRUE(net_->Heal("coord").ok());
  }));
  if (table_.back().wall_s > 0) {
    EXPECT_LT(table_.back().recovered_s, 20) << "workers kept waiting on the dead address";
  }

  table_.push_back(Run("delay 200 ms +-50 ms", Path(200, 50, 0, 0), none));
  table_.push_back(Run("10% drops (+200-400 ms)", Path(5, 0, 0.1, 0), none));
  table_.push_back(Run("connection resets (mean 2 s)", Path(0, 0, 0, 2), none));
  PrintTable(table_);
}

}  // namespace
}  // namespace fanout::testing
