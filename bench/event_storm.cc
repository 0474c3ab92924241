// Benchmark event-storm: an upload burst's S3 notifications, POSTed to a real fanout-trigger in
// POSTs of --per_post records (what S3 and Ceph send when many objects land together), each record
// its own job, as before. The trigger runs twice in front of a coordinator with its defaults (WAL
// synced) and one worker running the jobs: once submitting each event alone (--batch_submits=false,
// one durable write per event: the old way), once with a POST's events in one SubmitJobs call (one
// write, one sync). Prints the accepted events/s of each by number of posters, the ratio, and the
// ratio to issue 15's target of 10,000 events/s.
//
//   bazel-bin/bench/event_storm --bin_dir=bin [--events=20000] [--per_post=50]
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
#include "common/status_macros.h"
#include "nlohmann/json.hpp"
#include "tests/http_client.h"

ABSL_FLAG(std::string, bin_dir, "bin", "where the fanout binaries are");
ABSL_FLAG(int, events, 20000, "events per run with batched submits");
ABSL_FLAG(int, before_events, 4000, "events per run submitting each event alone (slower)");
ABSL_FLAG(int, per_post, 50, "S3 records per POST");

namespace fanout::bench {
namespace {

constexpr double kTarget = 10000;  // events/s, issue 15

struct Storm {
  int posters = 0;
  int events = 0;
  int accepted = 0;  // events the trigger answered as new jobs
  int jobs = 0;      // job ids it answered with
  double seconds = 0;
  double rate() const { return accepted / seconds; }
};

// Posts `events` events, `per_post` to a POST, from `posters` threads; keys start with `tag`.
Storm Post(const std::string& url, const std::string& tag, int events, int per_post, int posters) {
  Storm storm{posters, events};
  std::atomic<int> next{0}, accepted{0}, jobs{0};
  const absl::Time start = absl::Now();
  std::vector<std::thread> threads;
  for (int t = 0; t < posters; ++t) {
    threads.emplace_back([&] {
      for (int first; (first = next.fetch_add(per_post)) < events;) {
        std::vector<std::string> keys;
        for (int i = first; i < std::min(events, first + per_post); ++i) {
          keys.push_back(absl::StrCat(tag, "/", i));
        }
        absl::StatusOr<s3::HttpResponse> r = testing::HttpPost(url, S3EventBody(keys));
        if (!r.ok() || r->status != 200) {
          std::cerr << "POST failed: " << (r.ok() ? r->body : r.status().ToString()) << "\n";
          continue;
        }
        nlohmann::json body = nlohmann::json::parse(r->body, nullptr, false);
        if (!body.is_object()) continue;
        accepted += body.value("accepted", 0);
        jobs += static_cast<int>(body["jobs"].size());
      }
    });
  }
  for (std::thread& t : threads) t.join();
  storm.seconds = absl::ToDoubleSeconds(absl::Now() - start);
  storm.accepted = accepted;
  storm.jobs = jobs;
  return storm;
}

// One trigger mode against a fresh cluster: a run per poster count.
absl::StatusOr<std::vector<Storm>> Runs(const std::string& bin, bool batched, int events) {
  ASSIGN_OR_RETURN(std::unique_ptr<BenchCluster> cluster, BenchCluster::Start(bin, 1, 4));
  ASSIGN_OR_RETURN(BenchTrigger trigger,
                   StartTrigger(*cluster, bin, kNoopWebhookRule,
                                {absl::StrCat("--batch_submits=", batched ? "true" : "false")}));
  const int per_post = absl::GetFlag(FLAGS_per_post);
  Post(trigger.url, "warm", 200, per_post, 1);
  std::vector<Storm> storms;
  for (int posters : {1, 4}) {
    storms.push_back(Post(trigger.url, absl::StrCat("p", posters), events, per_post, posters));
  }
  trigger.process->Signal(SIGTERM);
  trigger.process->Wait();
  return storms;
}

int Run() {
  const std::string bin = absl::GetFlag(FLAGS_bin_dir);
  absl::StatusOr<std::vector<Storm>> before = Runs(bin, false, absl::GetFlag(FLAGS_before_events));
  if (!before.ok()) return std::cerr << before.status() << "\n", 1;
  absl::StatusOr<std::vector<Storm>> after = Runs(bin, true, absl::GetFlag(FLAGS_events));
  if (!after.ok()) return std::cerr << after.status() << "\n", 1;
  std::cout << absl::StrFormat(
      "event-storm: S3 notifications of %d records per POST -> fanout-trigger -> one "
      "builtin:noop job per event, 1 worker x 4 slots, WAL synced\n"
      "| submits                | posters | events | accepted | jobs   | seconds | events/s | "
      "/ target |\n"
      "|------------------------|---------|--------|----------|--------|---------|----------|"
      "----------|\n",
      absl::GetFlag(FLAGS_per_post));
  bool ok = true;
  for (const auto& [name, storms] : {std::pair{"one per event (before)", &*before},
                                     std::pair{"one per POST (after)", &*after}}) {
    for (const Storm& s : *storms) {
      std::cout << absl::StrFormat("| %-22s | %7d | %6d | %8d | %6d | %7.2f | %8.0f | %7.2fx |\n",
                                   name, s.posters, s.events, s.accepted, s.jobs, s.seconds,
                                   s.rate(), s.rate() / kTarget);
      ok &= s.accepted == s.events && s.jobs == s.events;
    }
  }
  for (size_t i = 0; i < before->size(); ++i) {
    std::cout << absl::StrFormat("after / before, %d posters = %.1fx\n", (*before)[i].posters,
                                 (*after)[i].rate() / (*before)[i].rate());
  }
  if (!ok) std::cerr << "some events were not accepted as jobs\n";
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace fanout::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return fanout::bench::Run();
}
