// Hands accepted events to the coordinator as jobs. An event is acknowledged to its source only
// after SubmitJob returned: the coordinator has then written the job (WAL synced), and the event's
// idempotency key makes any redelivery return that same job instead of a new one.
#ifndef FANOUT_TRIGGER_JOB_SUBMITTER_H_
#define FANOUT_TRIGGER_JOB_SUBMITTER_H_

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/coordinator_channel.h"
#include "grpcpp/grpcpp.h"
#include "proto/job_service.grpc.pb.h"

namespace fanout::trigger {

struct Submitted {
  std::string job_id;
  bool created = false;      // false: a duplicate of an event already accepted
  uint32_t known_items = 0;  // a batch's items left out: their events had made a job before
};

class JobSubmitter {
 public:
  virtual ~JobSubmitter() = default;
  // UNAVAILABLE when the coordinator cannot be reached or answered a retryable error (the source
  // should redeliver later); INVALID_ARGUMENT when it refused the job (redelivering will not help).
  virtual absl::StatusOr<Submitted> Submit(const v1::JobSpec& spec) = 0;
  // Submit for each spec: one answer each, in order. Once the coordinator is found unreachable the
  // rest are answered UNAVAILABLE without trying (the source redelivers them all).
  virtual std::vector<absl::StatusOr<Submitted>> SubmitAll(const std::vector<v1::JobSpec>& specs);
};

// Thread-safe: gRPC stubs are.
class GrpcJobSubmitter : public JobSubmitter {
 public:
  explicit GrpcJobSubmitter(const std::string& coordinator, const ClientSecurity& security = {},
                            absl::Duration timeout = absl::Seconds(2));
  absl::StatusOr<Submitted> Submit(const v1::JobSpec& spec) override;
  // One SubmitJobs call (one disk sync) per kMaxSubmitBatch specs or kBatchBytes, unless
  // `batch_calls` was turned off or the coordinator predates SubmitJobs: then one SubmitJob each
  // (also for a batch the coordinator found too big).
  std::vector<absl::StatusOr<Submitted>> SubmitAll(const std::vector<v1::JobSpec>& specs) override;
  void set_batch_calls(bool on) { batch_calls_ = on; }

 private:
  // One SubmitJobs call; nullopt when the coordinator does not know the call, or it was too big.
  std::optional<std::vector<absl::StatusOr<Submitted>>> SubmitBatch(
      std::vector<v1::JobSpec>::const_iterator begin, std::vector<v1::JobSpec>::const_iterator end);

  const absl::Duration timeout_;
  std::atomic<bool> batch_calls_ = true;
  std::unique_ptr<v1::JobService::Stub> stub_;
};

// The spec of the job one event becomes under `rule`'s template: one inline item.
v1::JobSpec EventJob(const v1::JobSpec& rule_job, const std::string& rule_name,
                     const std::string& item_json, const std::string& idempotency_key);

}  // namespace fanout::trigger

#endif  // FANOUT_TRIGGER_JOB_SUBMITTER_H_
