#include "trigger/trigger_metrics.h"

#include <algorithm>

#include "absl/time/clock.h"

namespace fanout::trigger {
namespace {

prometheus::Family<prometheus::Counter>& Counters(prometheus::Registry& r, const std::string& name,
                                                  const std::string& help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(r);
}

// Moves `exported` up to `total` and the counter with it; never down, so that two scrapes at once
// count each event once.
void CatchUp(prometheus::Counter& counter, uint64_t total, std::atomic<uint64_t>& exported) {
  uint64_t before = exported.load();
  while (total > before) {
    if (exported.compare_exchange_weak(before, total)) {
      counter.Increment(total - before);
      return;
    }
  }
}

}  // namespace

TriggerMetrics::TriggerMetrics(prometheus::Registry& r)
    : received_(Counters(r, "fanout_trigger_events_received_total",
                         "Events that matched a rule and were submitted.")),
      deduplicated_(Counters(r, "fanout_trigger_events_deduplicated_total",
                             "Events that had made a job before (redeliveries).")),
      rejected_(Counters(r, "fanout_trigger_events_rejected_total",
                         "Events the coordinator refused or could not be reached for.")),
      jobs_(Counters(r, "fanout_trigger_jobs_submitted_total", "Jobs created by a rule.")),
      accept_seconds_(prometheus::BuildHistogram()
                          .Name("fanout_trigger_accept_seconds")
                          .Help("From handing events to the coordinator to its durable answer.")
                          .Register(r)),
      posts_(Counters(r, "fanout_trigger_webhook_requests_total",
                      "Webhook POSTs by what became of them.")) {}

void TriggerMetrics::Accepted(const std::string& rule, uint64_t events, uint64_t duplicates,
                              bool job_created, absl::Duration took) {
  static const auto* buckets = new prometheus::Histogram::BucketBoundaries{
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
  received_.Add({{"rule", rule}}).Increment(events);
  deduplicated_.Add({{"rule", rule}}).Increment(duplicates);
  if (job_created) jobs_.Add({{"rule", rule}}).Increment();
  accept_seconds_.Add({{"rule", rule}}, *buckets).Observe(absl::ToDoubleSeconds(took));
}

void TriggerMetrics::Rejected(const std::string& rule, const std::string& reason, uint64_t events) {
  received_.Add({{"rule", rule}}).Increment(events);
  rejected_.Add({{"rule", rule}, {"reason", reason}}).Increment(events);
}

void TriggerMetrics::RefreshWebhook(const WebhookHandler::Counts& c) {
  WebhookHandler::Counts& e = exported_posts_;
  CatchUp(posts_.Add({{"result", "received"}}), c.received, e.received);
  CatchUp(posts_.Add({{"result", "rejected"}}), c.rejected, e.rejected);
  CatchUp(posts_.Add({{"result", "ignored"}}), c.ignored, e.ignored);
  // Also counted as rejected: the share of forged or unsigned posts.
  CatchUp(posts_.Add({{"result", "unauthorized"}}), c.unauthorized, e.unauthorized);
}

void MeteredSubmitter::Count(const v1::JobSpec& spec, const absl::StatusOr<Submitted>& submitted,
                             absl::Duration took) {
  auto rule_label = spec.labels().find("trigger");
  const std::string rule = rule_label == spec.labels().end() ? "" : rule_label->second;
  const uint64_t events = std::max(1, spec.item_keys_size());
  if (!submitted.ok()) {
    metrics_.Rejected(
        rule,
        submitted.status().code() == absl::StatusCode::kUnavailable ? "unavailable" : "refused",
        events);
    return;
  }
  const uint64_t duplicates =
      submitted->created ? std::min<uint64_t>(events, submitted->known_items) : events;
  metrics_.Accepted(rule, events, duplicates, submitted->created, took);
}

absl::StatusOr<Submitted> MeteredSubmitter::Submit(const v1::JobSpec& spec) {
  const absl::Time start = absl::Now();
  absl::StatusOr<Submitted> submitted = inner_.Submit(spec);
  Count(spec, submitted, absl::Now() - start);
  return submitted;
}

std::vector<absl::StatusOr<Submitted>> MeteredSubmitter::SubmitAll(
    const std::vector<v1::JobSpec>& specs) {
  const absl::Time start = absl::Now();
  std::vector<absl::StatusOr<Submitted>> answers = inner_.SubmitAll(specs);
  // Each event waited for the whole call: that is its submit latency.
  const absl::Duration took = absl::Now() - start;
  for (size_t i = 0; i < specs.size() && i < answers.size(); ++i) Count(specs[i], answers[i], took);
  return answers;
}

}  // namespace fanout::trigger
