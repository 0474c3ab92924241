// Benchmark webhook-latency: S3 events POSTed to a real fanout-trigger in front of a coordinator
// and a warm worker (all from bin/, durable settings). Sequential events first, one at a time:
// per event, the POST's answer time (what an uploader waiting on the notification waits), and from
// the POST to the task's lease (dispatch, just before the handler starts) and to its committed
// result (after the handler ended: an upper bound on the handler's start). Then concurrent posters
// for the sustained accepted-events rate. Prints a table and the ratio to the target (handler
// start p50 under 5 ms with a warm worker).
//
//   bazel-bin/bench/webhook_latency --bin_dir=bin [--events=1000] [--posters=8]
#include <atomic>
#include <csignal>
#include <iostream>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "bench/bench_cluster.h"
#include "bench/bench_trigger.h"
#include "common/proto_time.h"
#include "nlohmann/json.hpp"
#include "tests/http_client.h"

ABSL_FLAG(std::string, bin_dir, "bin", "where the fanout binaries are");
ABSL_FLAG(int, events, 1000, "sequential events timed one by one");
ABSL_FLAG(int, burst, 5000, "events posted concurrently for the sustained rate");
ABSL_FLAG(int, posters, 8, "concurrent posters in the burst");

namespace fanout::bench {
namespace {

using nlohmann::json;

// Posts one event; returns the job id, or "" on failure.
std::string Post(const std::string& url, const std::string& key) {
  absl::StatusOr<s3::HttpResponse> r = testing::HttpPost(url, S3EventBody({key}));
  if (!r.ok() || r->status != 200) return "";
  json body = json::parse(r->body, nullptr, false);
  return body.is_object() && !body["jobs"].empty() ? body["jobs"][0].get<std::string>() : "";
}

struct Latencies {
  std::vector<double> answer_ms, dispatch_ms, done_ms;
};

// Events one at a time, each followed to its end; false if one did not run.
bool Sequential(BenchCluster& cluster, const std::string& url, Latencies* l) {
  for (int i = 0; i < absl::GetFlag(FLAGS_events); ++i) {
    const absl::Time sent = absl::Now();
    const std::string job = Post(url, absl::StrCat("seq-", i));
    l->answer_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - sent));
    absl::StatusOr<v1::Job> ended =
        job.empty() ? absl::UnknownError("post failed") : cluster.WaitForEnd(job);
    absl::StatusOr<std::vector<v1::Task>> tasks = cluster.Tasks(job);
    if (!ended.ok() || !tasks.ok() || tasks->empty() || (*tasks)[0].attempts_size() == 0) {
      std::cerr << "event " << i << " did not run\n";
      return false;
    }
    const v1::Attempt& a = (*tasks)[0].attempts(0);
    l->dispatch_ms.push_back(absl::ToDoubleMilliseconds(FromProto(a.leased_at()) - sent));
    l->done_ms.push_back(absl::ToDoubleMilliseconds(FromProto(a.ended_at()) - sent));
  }
  return true;
}

// --burst events from --posters threads; returns the accepted events per second.
double Burst(const std::string& url, int* accepted) {
  const int burst = absl::GetFlag(FLAGS_burst);
  std::atomic<int> next{0}, ok{0};
  const absl::Time start = absl::Now();
  std::vector<std::thread> posters;
  for (int t = 0; t < absl::GetFlag(FLAGS_posters); ++t) {
    posters.emplace_back([&] {
      for (int i; (i = next++) < burst;) ok += !Post(url, absl::StrCat("burst-", i)).empty();
    });
  }
  for (std::thread& t : posters) t.join();
  *accepted = ok;
  return ok / absl::ToDoubleSeconds(absl::Now() - start);
}

int Run() {
  const std::string bin = absl::GetFlag(FLAGS_bin_dir);
  absl::StatusOr<std::unique_ptr<BenchCluster>> cluster = BenchCluster::Start(bin, 1, 4);
  if (!cluster.ok()) return std::cerr << cluster.status() << "\n", 1;
  absl::StatusOr<BenchTrigger> trigger = StartTrigger(**cluster, bin, kNoopWebhookRule);
  if (!trigger.ok()) return std::cerr << trigger.status() << "\n", 1;
  const std::string& url = trigger->url;
  for (int i = 0; i < 50; ++i) Post(url, absl::StrCat("warm-", i));  // warm connections

  Latencies l;
  if (!Sequential(**cluster, url, &l)) return 1;
  int accepted = 0;
  const double rate = Burst(url, &accepted);
  const std::vector<double>& answer_ms = l.answer_ms;
  const std::vector<double>& dispatch_ms = l.dispatch_ms;
  const std::vector<double>& done_ms = l.done_ms;
  const int burst = absl::GetFlag(FLAGS_burst);

  std::cout << absl::StrFormat(
      "webhook-latency: S3 events POSTed to fanout-trigger -> builtin:noop, 1 warm worker x 4 "
      "slots, WAL synced\n"
      "| measure (%4d sequential events)        | p50       | p99       |\n"
      "|-----------------------------------------|-----------|-----------|\n"
      "| POST answered (job durably accepted)    | %6.2f ms | %6.2f ms |\n"
      "| POST -> task leased (handler starts)    | %6.2f ms | %6.2f ms |\n"
      "| POST -> result committed (handler done) | %6.2f ms | %6.2f ms |\n"
      "sustained: %d events by %d posters: %d accepted, %.0f events/s\n"
      "handler start p50 / target (5 ms) = %.2f (upper bound, from the committed result: %.2f)\n",
      absl::GetFlag(FLAGS_events), Percentile(answer_ms, 0.5), Percentile(answer_ms, 0.99),
      Percentile(dispatch_ms, 0.5), Percentile(dispatch_ms, 0.99), Percentile(done_ms, 0.5),
      Percentile(done_ms, 0.99), burst, absl::GetFlag(FLAGS_posters), accepted, rate,
      Percentile(dispatch_ms, 0.5) / 5, Percentile(done_ms, 0.5) / 5);
  trigger->process->Signal(SIGTERM);
  trigger->process->Wait();
  return 0;
}

}  // namespace
}  // namespace fanout::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return fanout::bench::Run();
}
