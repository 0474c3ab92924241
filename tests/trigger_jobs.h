// What the trigger tests look at: the jobs a trigger rule made (labelled trigger=RULE), grouped by
// their one item, so that a test can tell a lost event (no job) from a doubled one (two jobs).
#ifndef FANOUT_TESTS_TRIGGER_JOBS_H_
#define FANOUT_TESTS_TRIGGER_JOBS_H_

#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "tests/test_cluster.h"

namespace fanout::testing {

// Item (JSON text) -> the rule's jobs over it.
using JobsByItem = std::map<std::string, std::vector<v1::Job>>;

JobsByItem TriggerJobs(TestCluster& cluster, const std::string& rule);
// Polls until `n` items have jobs and every job succeeded, or `timeout` passed.
JobsByItem WaitForTriggerJobs(TestCluster& cluster, const std::string& rule, size_t n,
                              absl::Duration timeout = absl::Minutes(1));

}  // namespace fanout::testing

#endif  // FANOUT_TESTS_TRIGGER_JOBS_H_
