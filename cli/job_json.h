// JSON views of jobs, item results and workers, as the CLI prints them (and scripts read them).
#ifndef FANOUT_CLI_JOB_JSON_H_
#define FANOUT_CLI_JOB_JSON_H_

#include <string>

#include "common/task_counts.h"
#include "nlohmann/json.hpp"
#include "proto/fanout.pb.h"
#include "proto/job_service.pb.h"

namespace fanout::cli {

// {"job_id", "state", "pending", "running" (handlers running now), "leased" (those and the tasks
//  queued at workers to start next), "succeeded", "failed", "dead", "cancelled", "total",
//  "items", "progress", "function", "source", "params", "created_at", "finished_at", "message"}
nlohmann::json JobToJson(const v1::Job& job);
// {"state", "manifest", "result_files", "failed_files", "result_items", "failed_items", "error",
//  "reduce_job_id"}; null when the job asked for no fan-in.
nlohmann::json FanInToJson(const v1::FanIn& fan_in);
// For people: where the manifests are (or why they are not), and the reduce job; "" if none.
std::string FanInText(const v1::FanIn& fan_in);
// {"item": ..., "state": ..., "result": ...} or {"item", "state", "error": {"code", "message"}}
nlohmann::json ItemResultToJson(const v1::ItemResult& result);
nlohmann::json WorkerToJson(const v1::WorkerStatus& worker);
// {"code": "retryable", "grpc": "UNAVAILABLE", "http": 503, "message": ...}
nlohmann::json ErrorToJson(const v1::TaskError& error);

// `value` with at most `most` decimals and no trailing zeros: "0.0000166667", not "1.66667e-05".
std::string Decimals(double value, int most);
// Dollars: `rounded` (to the cent, as billed), unless that reads 0.00 for a cost that is not zero:
// then `exact`, with enough digits to show it ("0.00202083").
std::string Money(double rounded, double exact);

// A JSON value from its text; a string holding the text when it is not valid JSON.
nlohmann::json JsonOrString(const std::string& text);
// RFC 3339, or "" for an unset timestamp.
std::string FormatTimestamp(const google::protobuf::Timestamp& t);

}  // namespace fanout::cli

#endif  // FANOUT_CLI_JOB_JSON_H_
