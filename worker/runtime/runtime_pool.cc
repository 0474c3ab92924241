#include "worker/runtime/runtime_pool.h"

#include <algorithm>

namespace fanout::worker {

RuntimePool::RuntimePool(Options options) : options_(std::move(options)) {
  reaper_ = std::thread([this] { ReapLoop(); });
}

RuntimePool::~RuntimePool() {
  absl::flat_hash_map<std::string, std::vector<std::unique_ptr<LambdaRuntime>>> idle;
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
    idle.swap(idle_);
  }
  reaper_.join();
  idle.clear();  // ends each runtime (kills its process group)
}

std::unique_ptr<LambdaRuntime> RuntimePool::TakeOldestIdle() {
  std::vector<std::unique_ptr<LambdaRuntime>>* oldest_list = nullptr;
  size_t oldest = 0;
  for (auto& [key, list] : idle_) {
    for (size_t i = 0; i < list.size(); ++i) {
      if (oldest_list == nullptr || list[i]->last_used() < (*oldest_list)[oldest]->last_used()) {
        oldest_list = &list;
        oldest = i;
      }
    }
  }
  if (oldest_list == nullptr) return nullptr;
  std::unique_ptr<LambdaRuntime> out = std::move((*oldest_list)[oldest]);
  oldest_list->erase(oldest_list->begin() + static_cast<long>(oldest));
  --live_;
  return out;
}

absl::StatusOr<std::unique_ptr<LambdaRuntime>> RuntimePool::Acquire(const FunctionConfig& config,
                                                                    bool* cold) {
  std::vector<std::unique_ptr<LambdaRuntime>> ended;  // ended outside the lock
  {
    absl::MutexLock lock(&mu_);
    auto it = idle_.find(config.key());
    while (it != idle_.end() && !it->second.empty()) {
      std::unique_ptr<LambdaRuntime> runtime = std::move(it->second.back());  // most recent
      it->second.pop_back();
      if (runtime->usable()) {
        ++stats_.warm_invocations;
        *cold = false;
        return runtime;
      }
      --live_;
      ++stats_.exits;
      ended.push_back(std::move(runtime));
    }
    if (live_ >= options_.max_runtimes) {
      if (std::unique_ptr<LambdaRuntime> oldest = TakeOldestIdle())
        ended.push_back(std::move(oldest));
    }
    ++live_;
    ++stats_.cold_starts;
  }
  ended.clear();
  *cold = true;
  absl::StatusOr<std::unique_ptr<LambdaRuntime>> runtime =
      LambdaRuntime::Start(config, options_.settings);
  if (!runtime.ok()) {
    absl::MutexLock lock(&mu_);
    --live_;
  }
  return runtime;
}

void RuntimePool::Release(const FunctionConfig& config, std::unique_ptr<LambdaRuntime> runtime) {
  if (runtime == nullptr) return;
  {
    absl::MutexLock lock(&mu_);
    if (runtime->usable() && !stop_) {
      idle_[config.key()].push_back(std::move(runtime));
      return;
    }
    --live_;
    ++stats_.exits;
  }
  runtime.reset();  // ends it outside the lock
}

void RuntimePool::ReapLoop() {
  while (true) {
    std::vector<std::unique_ptr<LambdaRuntime>> ended;
    {
      absl::MutexLock lock(&mu_);
      auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_; };
      if (mu_.AwaitWithTimeout(absl::Condition(&stopping), absl::Seconds(1))) return;
      const absl::Time cutoff = absl::Now() - options_.idle;
      for (auto& [key, list] : idle_) {
        for (auto it = list.begin(); it != list.end();) {
          if ((*it)->last_used() < cutoff || !(*it)->usable()) {
            ended.push_back(std::move(*it));
            it = list.erase(it);
            --live_;
          } else {
            ++it;
          }
        }
      }
    }
  }
}

void RuntimePool::EndIdle(const std::function<bool(const FunctionConfig&)>& which) {
  std::vector<std::unique_ptr<LambdaRuntime>> ended;
  {
    absl::MutexLock lock(&mu_);
    for (auto& [key, list] : idle_) {
      for (auto it = list.begin(); it != list.end();) {
        if (which((*it)->config())) {
          ended.push_back(std::move(*it));
          it = list.erase(it);
          --live_;
        } else {
          ++it;
        }
      }
    }
  }
}

void RuntimePool::NoteInit(absl::Duration init) {
  absl::MutexLock lock(&mu_);
  stats_.init_seconds += absl::ToDoubleSeconds(init);
}

RuntimeStats RuntimePool::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

size_t RuntimePool::live() const {
  absl::MutexLock lock(&mu_);
  return live_;
}

}  // namespace fanout::worker
