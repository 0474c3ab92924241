#include "coordinator/fan_in/fan_in_runner.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/guard.h"
#include "common/json_text.h"
#include "common/status_macros.h"
#include "coordinator/fan_in/manifest_writer.h"
#include "glog/logging.h"
#include "nlohmann/json.hpp"

namespace fanout::coordinator {

v1::JobSpec ReduceSpec(const v1::Job& job, const v1::FanIn& fan_in) {
  nlohmann::json item = ParseJson(ManifestJson(job, fan_in), "manifest").value_or(nlohmann::json());
  item["manifest"] = fan_in.manifest();
  v1::JobSpec spec;
  spec.set_function(job.spec().reduce());
  spec.set_source(DumpJson(nlohmann::json::array({item})));
  spec.set_params_json("{}");
  // The key ties the reduce to this end of the job: a rewrite after a restart finds the same job,
  // a redrive that ends again gets a new one.
  spec.set_idempotency_key(absl::StrCat("fanout.reduce/", job.job_id(), "/", job.redrives()));
  if (job.spec().options().has_timeout()) {
    *spec.mutable_options()->mutable_timeout() = job.spec().options().timeout();
  }
  spec.mutable_options()->set_priority(job.spec().options().priority());
  (*spec.mutable_labels())["fanout.reduce_of"] = job.job_id();
  return spec;
}

FanInRunner::FanInRunner(JobStore& store, Clock& clock, SinkFactory sinks, Submit submit,
                         std::function<void()> on_change, Options options)
    : store_(store),
      clock_(clock),
      sinks_(std::move(sinks)),
      submit_(std::move(submit)),
      on_change_(std::move(on_change)),
      options_(options),
      thread_([this] { Run(); }) {}

FanInRunner::~FanInRunner() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  thread_.join();
}

void FanInRunner::Poke() {
  absl::MutexLock lock(&mu_);
  poked_ = true;
}

void FanInRunner::Run() {
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      auto woken = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return poked_ || stop_; };
      clock_.AwaitFor(mu_, absl::Condition(&woken), options_.idle);
      if (stop_) return;
      poked_ = false;
    }
    Step();
  }
}

void FanInRunner::Step() {
  absl::flat_hash_map<std::string, Retry> still;
  for (const v1::Job& job : store_.PendingFanIns()) {
    Retry& retry = still[job.job_id()];
    if (auto it = retries_.find(job.job_id()); it != retries_.end()) retry = it->second;
    if (clock_.Now() < retry.at) continue;
    absl::StatusOr<v1::FanIn> fan_in = Guarded("fan-in", [&] { return FanIn(job); });
    if (fan_in.ok()) {
      Record(job, *std::move(fan_in));
      continue;
    }
    if (++retry.failures < options_.max_failures) {
      const absl::Duration wait = options_.retry_base * (1 << std::min(retry.failures - 1, 5));
      LOG(WARNING) << job.job_id() << ": writing its manifests failed (try " << retry.failures
                   << " of " << options_.max_failures << "), again in " << wait << ": "
                   << fan_in.status();
      retry.at = clock_.Now() + wait;
      continue;
    }
    LOG(WARNING) << job.job_id() << ": gave up writing its manifests: " << fan_in.status();
    v1::FanIn failed;
    failed.set_state(v1::FanIn::FAN_IN_FAILED);
    failed.set_error(std::string(fan_in.status().message()));
    Record(job, std::move(failed));
  }
  retries_ = std::move(still);
}

absl::StatusOr<v1::FanIn> FanInRunner::FanIn(const v1::Job& job) {
  ASSIGN_OR_RETURN(std::unique_ptr<ManifestSink> sink, sinks_(job));
  ASSIGN_OR_RETURN(v1::FanIn fan_in, WriteManifests(store_, job, *sink));
  // "Within its tolerated failures" is exactly what SUCCEEDED means.
  if (!job.spec().reduce().empty() && job.state() == v1::JOB_SUCCEEDED) {
    absl::StatusOr<v1::Job> reduce = submit_(ReduceSpec(job, fan_in));
    if (!reduce.ok()) {
      return absl::Status(reduce.status().code(),
                          absl::StrCat("reduce: submitting it: ", reduce.status().message()));
    }
    fan_in.set_reduce_job_id(reduce->job_id());
  }
  return fan_in;
}

void FanInRunner::Record(const v1::Job& job, v1::FanIn fan_in) {
  absl::StatusOr<v1::Job> recorded = store_.RecordFanIn(job.job_id(), job.redrives(), fan_in);
  if (!recorded.ok()) {
    LOG(WARNING) << job.job_id() << ": recording its fan-in: " << recorded.status();
    return;
  }
  on_change_();
}

}  // namespace fanout::coordinator
