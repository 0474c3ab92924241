// How logs name a lease: "job-7 task 3 epoch 2". Never the whole TaskRef: its lease_token is a
// credential (whoever holds it may report or renew the lease), and logs are read by many.
#ifndef FANOUT_COMMON_REF_TEXT_H_
#define FANOUT_COMMON_REF_TEXT_H_

#include <string>

#include "absl/strings/str_cat.h"
#include "proto/worker_service.pb.h"

namespace fanout {

inline std::string RefText(const v1::TaskRef& ref) {
  return absl::StrCat(ref.job_id(), " task ", ref.index(), " epoch ", ref.epoch());
}

}  // namespace fanout

#endif  // FANOUT_COMMON_REF_TEXT_H_
