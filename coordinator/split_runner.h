// Reads the sequential sources of running jobs (manifests, directory trees, S3 listings) ahead of
// the workers, on its own thread: the coordinator's hot path never waits on a file or an S3 call. A
// job is read a chunk at a time while fewer than `ahead` of its tasks wait to be leased, so a job
// over ten million objects starts at once and holds a bounded window in memory. Each chunk is
// stored with the source's cursor in one write: a restarted coordinator resumes the listing where
// it stopped, losing or repeating nothing.
#ifndef FANOUT_COORDINATOR_SPLIT_RUNNER_H_
#define FANOUT_COORDINATOR_SPLIT_RUNNER_H_

#include <functional>
#include <memory>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "coordinator/job_store.h"
#include "coordinator/sources/sequential_source.h"

namespace fanout::coordinator {

// Thread-safe (Poke); the reading happens on its own thread. Owned by CoordinatorServer.
class SplitRunner {
 public:
  struct Options {
    size_t chunk = 4096;                    // items read per step
    size_t ahead = 3 * kMaterializeWindow;  // unleased tasks a job may have before reading on
    absl::Duration idle = absl::Milliseconds(100);
    int max_failures = 10;  // retries of an unreachable source, then the job fails
  };
  using SourceFactory =
      std::function<absl::StatusOr<std::unique_ptr<SequentialSource>>(const v1::JobSpec& spec)>;

  // `on_tasks` is called after new tasks were stored (to wake waiting workers).
  SplitRunner(JobStore& store, Clock& clock, SourceFactory factory, std::function<void()> on_tasks,
              Options options);
  ~SplitRunner();

  // There may be new work (a job was submitted or redriven): look now.
  void Poke();

 private:
  struct Reader {
    std::unique_ptr<SequentialSource> source;
    int failures = 0;
    absl::Time retry_at = absl::InfinitePast();
  };

  void Run();
  // One pass over the jobs that have more to read; true if it read anything.
  bool Step();
  // Reads one chunk of `work`'s source and stores it.
  bool ReadChunk(const SplitWork& work, Reader& reader);
  void Failed(const SplitWork& work, Reader& reader, const absl::Status& status);

  JobStore& store_;
  Clock& clock_;
  const SourceFactory factory_;
  const std::function<void()> on_tasks_;
  const Options options_;
  absl::flat_hash_map<uint64_t, Reader> readers_;  // only the runner's thread touches it

  absl::Mutex mu_;
  bool poked_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

// Groups items into tasks of `batch_size`; a bad item becomes a task of its own that fails.
std::vector<NewTask> GroupIntoTasks(std::vector<SourceItem> items, uint32_t batch_size);

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_SPLIT_RUNNER_H_
