#include "worker/worker_metrics.h"

#include "common/proto_time.h"

namespace fanout::worker {
namespace {

constexpr const char* kOutcomes[] = {"succeeded", "failed", "continued", "released"};

size_t OutcomeIndex(const v1::TaskOutcome& outcome) {
  switch (outcome.outcome_case()) {
    case v1::TaskOutcome::kResults:
      return 0;
    case v1::TaskOutcome::kError:
      return 1;
    case v1::TaskOutcome::kContinued:
      return 2;
    default:
      return 3;
  }
}

}  // namespace

WorkerMetrics::WorkerMetrics(prometheus::Registry& r, int slots)
    : slots_(prometheus::BuildGauge()
                 .Name("fanout_worker_slots")
                 .Help("Tasks this worker runs at once, at most.")
                 .Register(r)
                 .Add({})),
      busy_(prometheus::BuildGauge()
                .Name("fanout_worker_slots_busy")
                .Help("Slots running a handler now.")
                .Register(r)
                .Add({})),
      seconds_(prometheus::BuildHistogram()
                   .Name("fanout_invocation_duration_seconds")
                   .Help("Handler invocation duration by function and outcome.")
                   .Register(r)),
      count_(prometheus::BuildCounter()
                 .Name("fanout_worker_invocations_total")
                 .Help("Handler invocations by function and outcome.")
                 .Register(r)) {
  slots_.Set(slots);
}

void WorkerMetrics::Invocation(const std::string& function, const v1::TaskOutcome& outcome) {
  static const auto* buckets = new prometheus::Histogram::BucketBoundaries{
      0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5,
      1,      2.5,    5,     10,    30,   60,   120, 300,  900};
  Series series;
  {
    absl::MutexLock lock(&mu_);
    auto it = series_.find(function);
    if (it == series_.end()) {
      Outcomes outcomes;
      for (size_t i = 0; i < outcomes.size(); ++i) {
        const prometheus::Labels labels = {{"function", function}, {"outcome", kOutcomes[i]}};
        outcomes[i] = {&seconds_.Add(labels, *buckets), &count_.Add(labels)};
      }
      it = series_.emplace(function, outcomes).first;
    }
    series = it->second[OutcomeIndex(outcome)];
  }
  series.seconds->Observe(absl::ToDoubleSeconds(FromProto(outcome.duration())));
  series.count->Increment();
}

}  // namespace fanout::worker
