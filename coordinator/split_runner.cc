#include "coordinator/split_runner.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/guard.h"
#include "glog/logging.h"

namespace fanout::coordinator {

std::vector<NewTask> GroupIntoTasks(std::vector<SourceItem> items, uint32_t batch_size) {
  batch_size = std::max<uint32_t>(batch_size, 1);
  std::vector<NewTask> tasks;
  NewTask current;
  size_t bytes = 0;
  auto flush = [&] {
    if (!current.items.empty()) tasks.push_back(std::move(current));
    current = NewTask();
    bytes = 0;
  };
  for (SourceItem& item : items) {
    if (item.error) {
      flush();
      tasks.push_back({{std::move(item.json)}, std::move(*item.error)});
      continue;
    }
    if (!TaskHasRoom(current.items.size(), bytes, item.json.size(), batch_size)) flush();
    bytes += item.json.size();
    current.items.push_back(std::move(item.json));
  }
  flush();
  return tasks;
}

SplitRunner::SplitRunner(JobStore& store, Clock& clock, SourceFactory factory,
                         std::function<void()> on_tasks, Options options)
    : store_(store),
      clock_(clock),
      factory_(std::move(factory)),
      on_tasks_(std::move(on_tasks)),
      options_(options),
      thread_([this] { Run(); }) {}

SplitRunner::~SplitRunner() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  thread_.join();
}

void SplitRunner::Poke() {
  absl::MutexLock lock(&mu_);
  poked_ = true;
}

void SplitRunner::Run() {
  bool busy = false;
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      auto woken = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return poked_ || stop_; };
      if (!busy) clock_.AwaitFor(mu_, absl::Condition(&woken), options_.idle);
      if (stop_) return;
      poked_ = false;
    }
    busy = Step();
  }
}

bool SplitRunner::Step() {
  std::vector<SplitWork> pending = store_.PendingSplits();
  absl::flat_hash_map<uint64_t, Reader> still;
  bool read = false;
  const absl::Time now = clock_.Now();
  for (const SplitWork& work : pending) {
    Reader& reader = still[work.job_seq];
    if (auto it = readers_.find(work.job_seq); it != readers_.end()) reader = std::move(it->second);
    if (work.backlog >= options_.ahead || now < reader.retry_at) continue;
    read |= ReadChunk(work, reader);
  }
  readers_ = std::move(still);  // jobs that ended or finished their listing let go of their source
  return read;
}

bool SplitRunner::ReadChunk(const SplitWork& work, Reader& reader) {
  if (reader.source == nullptr) {
    absl::StatusOr<std::unique_ptr<SequentialSource>> source =
        Guarded("opening the source", [&] { return factory_(work.spec); });
    if (!source.ok()) {
      Failed(work, reader, source.status());
      return false;
    }
    reader.source = std::move(*source);
  }
  const uint32_t batch = std::max<uint32_t>(work.spec.options().batch_size(), 1);
  const size_t max = std::max<size_t>(batch, options_.chunk - options_.chunk % batch);
  absl::StatusOr<SourceBatch> chunk =
      Guarded("reading the source", [&] { return reader.source->Next(work.cursor, max); });
  if (!chunk.ok()) {
    Failed(work, reader, chunk.status());
    return false;
  }
  reader.failures = 0;
  absl::Status stored =
      store_.AppendTasks(work.job_seq, GroupIntoTasks(std::move(chunk->items), batch),
                         std::move(chunk->cursor), chunk->done);
  if (!stored.ok()) {
    LOG(WARNING) << "storing tasks of " << work.job_id << ": " << stored;
    return false;
  }
  on_tasks_();
  return true;
}

void SplitRunner::Failed(const SplitWork& work, Reader& reader, const absl::Status& status) {
  reader.source.reset();  // start afresh from the stored cursor
  if (status.code() == absl::StatusCode::kUnavailable &&
      ++reader.failures <= options_.max_failures) {
    const absl::Duration wait =
        std::min(absl::Seconds(1) * (1 << std::min(reader.failures, 5)), absl::Seconds(30));
    LOG(WARNING) << work.job_id << ": reading its source failed (try " << reader.failures << " of "
                 << options_.max_failures << "), again in " << wait << ": " << status;
    reader.retry_at = clock_.Now() + wait;
    return;
  }
  const std::string why = status.code() == absl::StatusCode::kUnavailable
                              ? absl::StrCat("its source stayed unreachable: ", status.message())
                              : std::string(status.message());
  LOG(WARNING) << work.job_id << " fails: " << why;
  absl::Status failed = store_.FailJob(work.job_seq, why);
  if (!failed.ok()) LOG(ERROR) << "failing " << work.job_id << ": " << failed;
}

}  // namespace fanout::coordinator
