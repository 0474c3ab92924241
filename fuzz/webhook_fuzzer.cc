// The webhook's body, as a POST brings it: S3 event notifications, SNS envelopes (whose Message is
// parsed again), AWS's test event. The submitter accepts everything.
#include "fuzz/fuzzed.h"
#include "trigger/webhook_handler.h"

namespace {

class Accepting : public fanout::trigger::JobSubmitter {
 public:
  absl::StatusOr<fanout::trigger::Submitted> Submit(const fanout::v1::JobSpec& spec) override {
    return fanout::trigger::Submitted{"job-1", true, 0};
  }
};

fanout::trigger::TriggerConfig Config() {
  fanout::trigger::TriggerConfig config;
  config.path = "fuzz.json";
  for (int batch : {1, 5}) {
    fanout::trigger::Rule rule;
    rule.name = batch == 1 ? "one" : "batched";
    rule.source = "webhook";
    rule.job.set_function("builtin:noop");
    rule.batch.max_events = batch;
    rule.batch.max_wait = absl::ZeroDuration();
    config.rules.push_back(rule);
  }
  return config;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const fanout::trigger::TriggerConfig* config =
      new fanout::trigger::TriggerConfig(Config());
  Accepting submitter;
  fanout::trigger::WebhookHandler handler(*config, submitter);
  (void)handler.Handle(fanout::fuzz::Text(data, size));
  return 0;
}
