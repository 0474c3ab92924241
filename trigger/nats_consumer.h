// NATS JetStream source: a durable pull consumer. Each fetched message is acknowledged only after
// the coordinator accepted its job; while the coordinator is away the message is kept alive with
// InProgress (so it is not redelivered to another trigger meanwhile) and retried. A message the
// trigger fetched and never acknowledged (it died) is redelivered by the server after `claim_idle`
// (the consumer's AckWait): its stream sequence, hence its key, is the same, so it is one job.
#ifndef FANOUT_TRIGGER_NATS_CONSUMER_H_
#define FANOUT_TRIGGER_NATS_CONSUMER_H_

#include <nats/nats.h>

#include <string>

#include "trigger/config.h"
#include "trigger/consumer_thread.h"
#include "trigger/job_submitter.h"

namespace fanout::trigger {

class NatsConsumer {
 public:
  NatsConsumer(Rule rule, JobSubmitter& submitter)
      : rule_(std::move(rule)), submitter_(submitter) {}

  void Start();

 private:
  bool Session();  // one connection's life; false when it broke
  // Delivers one message, then acknowledges or terminates it.
  void HandleAll(const natsMsgList& list);
  void Handle(natsMsg* msg);

  const Rule rule_;
  JobSubmitter& submitter_;
  ConsumerThread thread_;  // last: joined before the members its session uses go
};

}  // namespace fanout::trigger

#endif  // FANOUT_TRIGGER_NATS_CONSUMER_H_
