// NATS JetStream source: a durable pull consumer. Each fetched message is acknowledged only after
// the coordinator accepted its job; while the coordinator is away the message is kept alive with
// InProgress (so it is not redelivered to another trigger meanwhile) and retried. A message the
// trigger fetched and never acknowledged (it died) is redelivered by the server after `claim_idle`
// (the consumer's AckWait): its stream sequence, hence its key, is the same, so it is one job.
#ifndef FANOUT_TRIGGER_NATS_CONSUMER_H_
#define FANOUT_TRIGGER_NATS_CONSUMER_H_

#include <nats/nats.h>

#include <atomic>
#include <string>
#include <thread>

#include "trigger/config.h"
#include "trigger/job_submitter.h"

namespace fanout::trigger {

class NatsConsumer {
 public:
  NatsConsumer(Rule rule, JobSubmitter& submitter)
      : rule_(std::move(rule)), submitter_(submitter) {}
  ~NatsConsumer();  // stops within a fetch's wait

  void Start();
  uint64_t delivered() const { return delivered_; }

 private:
  void Loop();
  bool Session();  // one connection's life; false when it broke
  // Delivers one message, then acknowledges or terminates it.
  void Handle(natsMsg* msg);

  const Rule rule_;
  JobSubmitter& submitter_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> delivered_{0};
  std::thread thread_;
};

}  // namespace fanout::trigger

#endif  // FANOUT_TRIGGER_NATS_CONSUMER_H_
