// AMQP 0-9-1 source (RabbitMQ; Ceph RGW publishes bucket notifications there): a consumer on a
// durable queue — optionally declared and bound to a topic exchange, which is how RGW's
// `amqp-exchange` topics deliver — acknowledging each message only after the coordinator accepted
// its job. While the coordinator is away the message is held and retried (not requeued in a hot
// loop); one that can never run is rejected without requeue and logged. A message the trigger
// received and never acknowledged (it died) goes back to the queue when its connection drops: the
// same message id — or the same S3 object — is the same key, so it is one job.
#ifndef FANOUT_TRIGGER_AMQP_CONSUMER_H_
#define FANOUT_TRIGGER_AMQP_CONSUMER_H_

#include <amqp.h>

#include <string>

#include "trigger/config.h"
#include "trigger/consumer_thread.h"
#include "trigger/job_submitter.h"

namespace fanout::trigger {

class AmqpConsumer {
 public:
  AmqpConsumer(Rule rule, JobSubmitter& submitter)
      : rule_(std::move(rule)), submitter_(submitter) {}

  void Start();

 private:
  bool Session(std::string* why);  // one connection's life; false when it broke
  // Delivers one message, then acknowledges or rejects it.
  void Handle(amqp_connection_state_t conn, const amqp_envelope_t& envelope);

  const Rule rule_;
  JobSubmitter& submitter_;
  ConsumerThread thread_;  // last: joined before the members its session uses go
};

}  // namespace fanout::trigger

#endif  // FANOUT_TRIGGER_AMQP_CONSUMER_H_
