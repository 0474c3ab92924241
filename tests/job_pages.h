// Reads every page of a job's tasks or item results, for tests and benchmarks.
#ifndef FANOUT_TESTS_JOB_PAGES_H_
#define FANOUT_TESTS_JOB_PAGES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "proto/job_service.grpc.pb.h"

namespace fanout::testing {

absl::StatusOr<std::vector<v1::Task>> ListAllTasks(v1::JobService::StubInterface& jobs,
                                                   const std::string& job_id);
absl::StatusOr<std::vector<v1::ItemResult>> ListAllResults(v1::JobService::StubInterface& jobs,
                                                           const std::string& job_id);

}  // namespace fanout::testing

#endif  // FANOUT_TESTS_JOB_PAGES_H_
