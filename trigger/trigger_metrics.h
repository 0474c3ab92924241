// The trigger's Prometheus metrics, built from an injected registry: events received,
// deduplicated, rejected and accepted per rule, and how long the coordinator took to accept them.
// Counted by MeteredSubmitter, through which every source submits.
#ifndef FANOUT_TRIGGER_TRIGGER_METRICS_H_
#define FANOUT_TRIGGER_TRIGGER_METRICS_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "prometheus/counter.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"
#include "trigger/job_submitter.h"
#include "trigger/webhook_handler.h"

namespace fanout::trigger {

// Thread-safe (prometheus-cpp families are). `registry` must outlive it.
class TriggerMetrics {
 public:
  explicit TriggerMetrics(prometheus::Registry& registry);

  // One submit of `events` events for `rule`: `duplicates` of them had made a job before.
  void Accepted(const std::string& rule, uint64_t events, uint64_t duplicates, bool job_created,
                absl::Duration took);
  // `reason`: "refused" (the coordinator said no; redelivery will not help) or "unavailable"
  // (it could not be reached; the source redelivers later).
  void Rejected(const std::string& rule, const std::string& reason, uint64_t events);
  // The webhook's own tallies of POSTs (malformed bodies are refused before any rule sees them).
  void RefreshWebhook(const WebhookHandler::Counts& counts);

 private:
  prometheus::Family<prometheus::Counter>& received_;
  prometheus::Family<prometheus::Counter>& deduplicated_;
  prometheus::Family<prometheus::Counter>& rejected_;
  prometheus::Family<prometheus::Counter>& jobs_;
  prometheus::Family<prometheus::Histogram>& accept_seconds_;
  prometheus::Family<prometheus::Counter>& posts_;
  WebhookHandler::Counts exported_posts_;
};

// Counts every submit into TriggerMetrics on its way to `inner`.
class MeteredSubmitter : public JobSubmitter {
 public:
  MeteredSubmitter(JobSubmitter& inner, TriggerMetrics& metrics)
      : inner_(inner), metrics_(metrics) {}
  absl::StatusOr<Submitted> Submit(const v1::JobSpec& spec) override;
  std::vector<absl::StatusOr<Submitted>> SubmitAll(const std::vector<v1::JobSpec>& specs) override;

 private:
  void Count(const v1::JobSpec& spec, const absl::StatusOr<Submitted>& submitted,
             absl::Duration took);

  JobSubmitter& inner_;
  TriggerMetrics& metrics_;
};

}  // namespace fanout::trigger

#endif  // FANOUT_TRIGGER_TRIGGER_METRICS_H_
