#include "coordinator/group_committer.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace fanout::coordinator {

GroupCommitter::GroupCommitter(rocksdb::DB* db, bool sync, Observer observer)
    : db_(db), sync_(sync), observer_(std::move(observer)), thread_([this] { Run(); }) {}

GroupCommitter::~GroupCommitter() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  thread_.join();
}

uint64_t GroupCommitter::Append(absl::FunctionRef<void(rocksdb::WriteBatch*)> fill) {
  absl::MutexLock lock(&mu_);
  fill(&open_);
  ++stats_.batches;
  return ++appended_;
}

absl::Status GroupCommitter::Await(uint64_t ticket) {
  absl::MutexLock lock(&mu_);
  auto written = [this, ticket]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return durable_ >= ticket; };
  mu_.Await(absl::Condition(&written));
  return error_;
}

uint64_t GroupCommitter::durable() {
  absl::MutexLock lock(&mu_);
  return durable_;
}

GroupCommitter::Stats GroupCommitter::stats() {
  absl::MutexLock lock(&mu_);
  return stats_;
}

void GroupCommitter::Run() {
  rocksdb::WriteOptions options;
  options.sync = sync_;
  while (true) {
    uint64_t upto = 0;
    uint64_t batches = 0;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(this, &GroupCommitter::HasWorkOrStop));
      if (appended_ == taken_) return;  // stopping, nothing left
      std::swap(writing_, open_);
      batches = appended_ - taken_;
      upto = taken_ = appended_;
    }
    const absl::Time start = absl::Now();
    const uint64_t bytes = writing_.GetDataSize();
    const rocksdb::Status s = db_->Write(options, &writing_);
    const absl::Duration took = absl::Now() - start;
    writing_.Clear();
    if (observer_) observer_(batches, took);
    absl::MutexLock lock(&mu_);
    if (!s.ok() && error_.ok()) {
      error_ = absl::UnavailableError(absl::StrCat("RocksDB write failed: ", s.ToString()));
    }
    durable_ = upto;
    ++stats_.syncs;
    stats_.bytes += bytes;
    stats_.write_time += took;
  }
}

}  // namespace fanout::coordinator
