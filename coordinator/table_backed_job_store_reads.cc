// TableBackedJobStore: reading jobs and tasks. A resident job is read from memory; one that left
// memory (it ended) from its records, once whatever memory showed before is durable — a crash must
// never take back what a reader saw.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "coordinator/table_backed_job_store.h"

namespace fanout::coordinator {
absl::StatusOr<std::optional<v1::Job>> TableBackedJobStore::FindAnywhere(uint64_t seq) {
  std::optional<v1::Job> job;
  uint64_t ticket = 0;
  {
    absl::MutexLock lock(&mu_);
    if (const v1::Job* resident = table_.JobBySeq(seq)) job = *resident;
    ticket = last_ticket_;
  }
  // Show nothing that is not on disk yet, and read the records only once they hold it all.
  RETURN_IF_ERROR(Durable(ticket));
  if (job) return job;
  return ReadJob(seq);
}

absl::StatusOr<v1::Job> TableBackedJobStore::GetJob(absl::string_view job_id) {
  const std::optional<uint64_t> seq = SeqFromJobId(job_id);
  if (!seq) return NoJobError(job_id);
  ASSIGN_OR_RETURN(std::optional<v1::Job> job, FindAnywhere(*seq));
  if (!job) return NoJobError(job_id);
  return *std::move(job);
}

std::vector<v1::Job> TableBackedJobStore::ListJobs(uint64_t before_seq, size_t limit) {
  uint64_t ticket = 0;
  {
    absl::MutexLock lock(&mu_);
    ticket = last_ticket_;
  }
  if (!Durable(ticket).ok()) return {};
  // Every job is in the records from the batch that created it; a resident job's state in memory
  // is as new or newer.
  absl::StatusOr<std::vector<v1::Job>> jobs = ReadJobs(before_seq, limit);
  if (!jobs.ok()) return {};
  {
    absl::MutexLock lock(&mu_);
    for (v1::Job& job : *jobs) {
      if (const v1::Job* resident = table_.FindJob(job.job_id())) job = *resident;
    }
    ticket = last_ticket_;
  }
  // What memory showed may be newer than what was durable at first: shown once it is too.
  if (!Durable(ticket).ok()) return {};
  return *std::move(jobs);
}

absl::StatusOr<std::vector<v1::Task>> TableBackedJobStore::ListTasks(absl::string_view job_id,
                                                                     uint64_t start_index,
                                                                     size_t limit) {
  const std::optional<uint64_t> seq = SeqFromJobId(job_id);
  if (!seq) return NoJobError(job_id);
  ASSIGN_OR_RETURN(std::optional<v1::Job> job, FindAnywhere(*seq));
  if (!job) return NoJobError(job_id);
  const uint64_t end = std::min<uint64_t>(job->counts().total(), start_index + limit);
  if (start_index >= end) return std::vector<v1::Task>();
  ASSIGN_OR_RETURN(std::vector<v1::Task> written, ReadTasks(*seq, start_index, end));
  if (written.size() == end - start_index) return written;
  return FillUnwritten(*job, *seq, start_index, end, std::move(written));
}

absl::StatusOr<std::vector<v1::Task>> TableBackedJobStore::FillUnwritten(
    const v1::Job& job, uint64_t seq, uint64_t begin, uint64_t end, std::vector<v1::Task> written) {
  // An ended job has no splitter of its own any more: make one, once, outside the lock.
  std::unique_ptr<Splitter> splitter;
  if (job.state() != v1::JOB_RUNNING) {
    absl::StatusOr<std::unique_ptr<Splitter>> made =
        MakeSplitter(job.spec().source(), job.spec().options().batch_size());
    if (made.ok()) splitter = std::move(*made);
  }
  std::vector<v1::Task> out(end - begin);
  std::vector<bool> known(end - begin, false);
  for (v1::Task& t : written) {
    known[t.index() - begin] = true;
    out[t.index() - begin] = std::move(t);
  }
  std::vector<uint64_t> recheck;
  uint64_t ticket = 0;
  {
    absl::MutexLock lock(&mu_);
    for (uint64_t i = begin; i < end; ++i) {
      if (known[i - begin]) continue;
      if (const v1::Task* live = table_.LiveTask(seq, i)) {
        out[i - begin] = *live;
        known[i - begin] = true;
      } else {
        recheck.push_back(i);  // never written, or ended and written since the read above
      }
    }
    ticket = last_ticket_;
  }
  RETURN_IF_ERROR(Durable(ticket));
  for (uint64_t i : recheck) {
    ASSIGN_OR_RETURN(std::optional<v1::Task> record, ReadTask({seq, i}));
    if (record) {
      out[i - begin] = std::move(*record);
      known[i - begin] = true;
    }
  }
  absl::MutexLock lock(&mu_);
  for (uint64_t i : recheck) {
    if (!known[i - begin]) out[i - begin] = table_.UnwrittenTask(job, i, splitter.get());
  }
  return out;
}

}  // namespace fanout::coordinator
