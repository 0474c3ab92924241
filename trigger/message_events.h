// What a queue message becomes, whatever the queue (AMQP, NATS JetStream, Redis Streams). A body
// that is an S3 event notification ({"Records": [...]}, as Ceph RGW publishes to AMQP) is one job
// per record matching the rule's filter, keyed like the webhook's events (so a webhook and a queue
// fed by the same bucket do not both run an object). Any other body is one job whose item is the
// body — JSON as it is, other text as a JSON string, binary as {"base64": ...} — keyed by the
// message's id, which stays the same when the queue redelivers it.
#ifndef FANOUT_TRIGGER_MESSAGE_EVENTS_H_
#define FANOUT_TRIGGER_MESSAGE_EVENTS_H_

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "trigger/config.h"
#include "trigger/job_submitter.h"

namespace fanout::trigger {

// The item a body becomes: its JSON (within common/json_text.h's policy), else text as a JSON
// string, else — bytes that are not UTF-8, which queues may well carry — {"base64": "..."}.
std::string BodyItem(absl::string_view body);

// The key a publisher's message id becomes: "id/ID" when the id is short text, else
// "id-sha256/DIGEST" — not text, or too long for a key, it is still the same each redelivery.
std::string PublisherIdKey(absl::string_view id);

// INVALID_ARGUMENT for a body that claims to be S3 events and is malformed (every record bad), or
// JSON nested past the limit. Records refused among good ones are told in `rejected`.
absl::StatusOr<std::vector<v1::JobSpec>> MessageJobs(const Rule& rule, absl::string_view body,
                                                     const std::string& message_id,
                                                     std::vector<std::string>* rejected = nullptr);

enum class Delivery {
  kAccepted,    // every job accepted (or known already): acknowledge the message
  kRetryLater,  // the coordinator is unreachable: leave the message to be redelivered
  kRejected,    // it can never become a job: acknowledge it (or drop it) and log why
};

struct Message {
  std::string body;
  std::string id;
};

struct Delivered {
  Delivery delivery = Delivery::kAccepted;
  std::string why;  // what went wrong when not accepted
};

// Submits the jobs of a fetch's messages in one call (written to disk together): one answer per
// message, in order.
std::vector<Delivered> DeliverMessages(const Rule& rule, JobSubmitter& submitter,
                                       const std::vector<Message>& messages);

// Submits a message's jobs; `why` says what went wrong when it was not accepted.
Delivery DeliverMessage(const Rule& rule, JobSubmitter& submitter, absl::string_view body,
                        const std::string& message_id, std::string* why);

// DeliverMessage, again every half second while the coordinator is unreachable (calling
// `keep_alive` each time, to hold the message), until it is taken, refused, or `stop` is set
// (then kRetryLater: leave the message unacknowledged).
Delivery DeliverPatiently(const Rule& rule, JobSubmitter& submitter, absl::string_view body,
                          const std::string& message_id, const std::atomic<bool>& stop,
                          const std::function<void()>& keep_alive, std::string* why);

}  // namespace fanout::trigger

#endif  // FANOUT_TRIGGER_MESSAGE_EVENTS_H_
