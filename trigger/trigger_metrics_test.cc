#include "trigger/trigger_metrics.h"

#include <sstream>

#include "common/metrics_http.h"
#include "gtest/gtest.h"
#include "prometheus/text_serializer.h"

namespace fanout::trigger {
namespace {

// Answers each submit with the next of its scripted answers.
class ScriptedSubmitter : public JobSubmitter {
 public:
  std::vector<absl::StatusOr<Submitted>> answers;
  absl::StatusOr<Submitted> Submit(const v1::JobSpec&) override {
    absl::StatusOr<Submitted> next = answers.front();
    answers.erase(answers.begin());
    return next;
  }
};

bool Has(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

v1::JobSpec RuleJob(int item_keys) {
  v1::JobSpec spec = EventJob(v1::JobSpec(), "uploads", "{}", "k");
  for (int i = 0; i < item_keys; ++i) spec.add_item_keys("k" + std::to_string(i));
  return spec;
}

TEST(MeteredSubmitterTest, CountsEventsDuplicatesAndRejectionsPerRule) {
  prometheus::Registry registry;
  TriggerMetrics metrics(registry);
  ScriptedSubmitter inner;
  inner.answers = {Submitted{"j-1", true, 0}, Submitted{"j-1", false, 0}, Submitted{"j-2", true, 2},
                   absl::UnavailableError("coordinator away"),
                   absl::InvalidArgumentError("function: unknown")};
  MeteredSubmitter metered(inner, metrics);
  EXPECT_TRUE(metered.Submit(RuleJob(0)).ok());   // one event, a new job
  EXPECT_TRUE(metered.Submit(RuleJob(0)).ok());   // the same event again
  EXPECT_TRUE(metered.Submit(RuleJob(5)).ok());   // a batch of 5, 2 seen before
  EXPECT_FALSE(metered.Submit(RuleJob(0)).ok());  // coordinator away
  EXPECT_FALSE(metered.Submit(RuleJob(3)).ok());  // refused
  const std::string text = MetricsResponse(registry).body;
  EXPECT_TRUE(Has(text, R"(fanout_trigger_events_received_total{rule="uploads"} 11)")) << text;
  EXPECT_TRUE(Has(text, R"(fanout_trigger_events_deduplicated_total{rule="uploads"} 3)"));
  EXPECT_TRUE(Has(text, R"(fanout_trigger_jobs_submitted_total{rule="uploads"} 2)"));
  EXPECT_TRUE(
      Has(text, R"(fanout_trigger_events_rejected_total{reason="unavailable",rule="uploads"} 1)"));
  EXPECT_TRUE(
      Has(text, R"(fanout_trigger_events_rejected_total{reason="refused",rule="uploads"} 3)"));
  EXPECT_TRUE(Has(text, R"(fanout_trigger_accept_seconds_count{rule="uploads"} 3)"));
}

TEST(TriggerMetricsTest, UnsignedPostsAreCountedApart) {
  prometheus::Registry registry;
  TriggerMetrics metrics(registry);
  WebhookHandler::Counts counts;
  counts.received = 5;
  counts.rejected = 3;
  counts.unauthorized = 2;
  metrics.RefreshWebhook(counts);
  metrics.RefreshWebhook(counts);  // a second scrape adds nothing
  std::ostringstream text;
  prometheus::TextSerializer().Serialize(text, registry.Collect());
  EXPECT_NE(text.str().find(R"(result="unauthorized"} 2)"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find(R"(result="rejected"} 3)"), std::string::npos);
}

}  // namespace
}  // namespace fanout::trigger
