// JobManager's submits: one job, or many made durable together (a trigger's POST of events).
#include "absl/strings/str_cat.h"
#include "common/functions.h"
#include "common/status_macros.h"
#include "coordinator/fan_in/manifest_sink.h"
#include "coordinator/job_manager.h"
#include "coordinator/job_validation.h"
#include "coordinator/sources/sequential_source.h"
#include "coordinator/splitter.h"

namespace fanout::coordinator {

absl::StatusOr<SubmitRequest> JobManager::PrepareSubmit(v1::JobSpec spec) {
  RETURN_IF_ERROR(ValidateJobSpec(spec));
  RETURN_IF_ERROR(ResultsPathWithin(spec.results(), options_.file_roots).status());
  if (ParseFunction(spec.function())->runtime == FunctionSpec::Runtime::kUser) {
    if (!options_.pin_function) {
      return absl::InvalidArgumentError(
          absl::StrCat("function: ", spec.function(), ": this coordinator runs built-ins only"));
    }
    RETURN_IF_ERROR(options_.pin_function(spec));
  }
  NormalizeJobSpec(&spec);
  // A sequential source is checked here (the file exists, the bucket answers) and then read by the
  // SplitRunner; a random-access one is split lazily by the store.
  ASSIGN_OR_RETURN(std::unique_ptr<SequentialSource> sequential,
                   MakeSequentialSource(spec.source(), spec.options().split_bytes(),
                                        options_.max_item_bytes, options_.file_roots));
  std::unique_ptr<Splitter> splitter;
  if (sequential == nullptr) {
    ASSIGN_OR_RETURN(splitter, MakeSplitter(spec.source(), spec.options().batch_size()));
    const Splitter::Largest largest = splitter->LargestItem();
    if (largest.bytes > options_.max_item_bytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("source: item ", largest.index, " is ", largest.bytes,
                       " bytes as JSON, over the limit of ", options_.max_item_bytes,
                       " (the coordinator's --max_item_bytes)"));
    }
  }
  return SubmitRequest{std::move(spec), std::move(splitter)};
}

absl::StatusOr<SubmitOutcome> JobManager::SubmitJob(v1::JobSpec spec) {
  ASSIGN_OR_RETURN(SubmitRequest request, PrepareSubmit(std::move(spec)));
  ASSIGN_OR_RETURN(SubmitOutcome out, store_.SubmitJob(request.spec, std::move(request.splitter)));
  if (out.created) {
    Notify();
    Changed();
  }
  return out;
}

std::vector<absl::StatusOr<SubmitOutcome>> JobManager::SubmitJobs(std::vector<v1::JobSpec> specs) {
  std::vector<absl::StatusOr<SubmitOutcome>> answers(specs.size(),
                                                     absl::UnknownError("not submitted"));
  // A spec refused here is answered alone; the rest go to the store in one write.
  std::vector<SubmitRequest> requests;
  std::vector<size_t> index;  // answers' slot of each request
  for (size_t i = 0; i < specs.size(); ++i) {
    absl::StatusOr<SubmitRequest> request = PrepareSubmit(std::move(specs[i]));
    if (!request.ok()) {
      answers[i] = request.status();
      continue;
    }
    requests.push_back(*std::move(request));
    index.push_back(i);
  }
  if (requests.empty()) return answers;
  std::vector<absl::StatusOr<SubmitOutcome>> stored = store_.SubmitJobs(std::move(requests));
  bool created = false;
  for (size_t j = 0; j < stored.size(); ++j) {
    created |= stored[j].ok() && stored[j]->created;
    answers[index[j]] = std::move(stored[j]);
  }
  if (created) {
    Notify();
    Changed();
  }
  return answers;
}

}  // namespace fanout::coordinator
