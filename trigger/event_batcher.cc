#include "trigger/event_batcher.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"

namespace fanout::trigger {

v1::JobSpec EventBatcher::BatchJob(const Rule& rule, const std::vector<std::string>& items,
                                   const std::vector<std::string>& keys) {
  v1::JobSpec spec = rule.job;
  spec.set_source(absl::StrCat("[", absl::StrJoin(items, ","), "]"));
  for (const std::string& key : keys) spec.add_item_keys(key);
  (*spec.mutable_labels())["trigger"] = rule.name;
  return spec;
}

void EventBatcher::Flush(const Rule& rule, const std::shared_ptr<Batch>& batch) {
  batch->flushing = true;
  auto open = open_.find(rule.name);
  if (open != open_.end() && open->second == batch) open_.erase(open);  // later events: a new one
  const v1::JobSpec spec = BatchJob(rule, batch->items, batch->keys);
  mu_.Unlock();
  absl::StatusOr<Submitted> result = submitter_.Submit(spec);
  mu_.Lock();
  batch->result = std::move(result);
  batch->done = true;
}

absl::StatusOr<Submitted> EventBatcher::Add(const Rule& rule, const std::vector<std::string>& items,
                                            const std::vector<std::string>& keys) {
  absl::MutexLock lock(&mu_);
  std::shared_ptr<Batch>& slot = open_[rule.name];
  if (slot == nullptr) {
    slot = std::make_shared<Batch>();
    slot->deadline = absl::Now() + rule.batch.max_wait;
  }
  const std::shared_ptr<Batch> batch = slot;
  batch->items.insert(batch->items.end(), items.begin(), items.end());
  batch->keys.insert(batch->keys.end(), keys.begin(), keys.end());
  if (batch->items.size() >= rule.batch.max_events) {
    Flush(rule, batch);
    return batch->result;
  }
  auto ended = [&batch]() { return batch->done || batch->flushing; };
  mu_.AwaitWithDeadline(absl::Condition(&ended), batch->deadline);
  if (!batch->flushing) Flush(rule, batch);  // the window closed: this caller submits it
  auto done = [&batch]() { return batch->done; };
  mu_.Await(absl::Condition(&done));
  return batch->result;
}

}  // namespace fanout::trigger
