// Benchmark function-overhead: what running users' code costs beside a built-in. The same echo
// function — the Lambda docs' bash bootstrap, Node on the unmodified aws-lambda-ric, runtime exec
// (`cat`) — and builtin:noop, each over N one-item tasks on W workers x S slots in the same run:
// tasks/s, the warm invocation's time on the worker (lease handed to the slot → response:
// p50/p99, from each attempt's measured duration), cold start (spawn → first invocation/next),
// and a synchronous invoke's round trip (submit → result, from an in-process gRPC client, so no
// CLI start counts).
//
//   bazel-bin/bench/function_overhead --bin_dir=bin [--invocations=10000] [--node_modules=DIR]
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "bench/bench_cluster.h"
#include "cli/code_upload.h"
#include "common/bundle.h"
#include "common/proto_time.h"
#include "grpcpp/grpcpp.h"
#include "proto/function_service.grpc.pb.h"

ABSL_FLAG(std::string, bin_dir, "bin", "where fanout-coordinator and fanout-worker are");
ABSL_FLAG(std::string, examples, "examples/functions", "the example functions' directory");
ABSL_FLAG(std::string, node_modules, "",
          "node_modules with aws-lambda-ric (default: $FANOUT_RIC_MODULES; none: Node is skipped)");
ABSL_FLAG(int, invocations, 10000, "one-item tasks per function");
ABSL_FLAG(int, invokes, 100, "synchronous invokes per function, one after another");
ABSL_FLAG(int, workers, 2, "worker processes");
ABSL_FLAG(int, slots, 4, "slots per worker");

namespace fanout::bench {
namespace {

struct Function {
  std::string label, name, runtime, handler, code_dir;
};

struct Row {
  std::string label;
  double tasks_per_second = 0;
  double warm_p50_ms = 0, warm_p99_ms = 0, cold_p50_ms = 0, cold_max_ms = 0;
  double invoke_p50_ms = 0, invoke_p99_ms = 0;
  double inside_p50_ms = 0, inside_p99_ms = 0;  // the job's created_at to finished_at
};

absl::Status Create(v1::FunctionService::Stub& stub, const Function& f,
                    const std::string& scratch) {
  const std::string packed = absl::StrCat(scratch, "/", f.name, ".tgz");
  if (absl::Status s = PackDirectory(f.code_dir, packed); !s.ok()) return s;
  absl::StatusOr<v1::CodeRef> ref = cli::UploadBundle(stub, packed);
  if (!ref.ok()) return ref.status();
  v1::CreateFunctionRequest request;
  request.set_name(f.name);
  request.set_code_sha256(ref->sha256());
  request.mutable_settings()->set_runtime(f.runtime);
  request.mutable_settings()->set_handler(f.handler);
  v1::FunctionVersion version;
  grpc::ClientContext context;
  if (grpc::Status s = stub.CreateFunction(&context, request, &version); !s.ok()) {
    return absl::InternalError(s.error_message());
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Job> RunItems(BenchCluster& c, const std::string& function, int n) {
  v1::JobSpec spec;
  spec.set_function(function);
  spec.set_source(absl::StrCat("range:1-", n));
  absl::StatusOr<v1::Job> job = c.RunJob(spec);
  if (job.ok() && job->state() != v1::JOB_SUCCEEDED) {
    return absl::InternalError(absl::StrCat(function, ": ", job->ShortDebugString()));
  }
  return job;
}

absl::StatusOr<Row> Measure(BenchCluster& c, const std::string& label,
                            const std::string& function) {
  Row row{label};
  // Warm-up: every slot starts its runtime (the cold starts measured here).
  const int slots = absl::GetFlag(FLAGS_workers) * absl::GetFlag(FLAGS_slots);
  absl::StatusOr<v1::Job> warm = RunItems(c, function, slots * 4);
  if (!warm.ok()) return warm.status();
  absl::StatusOr<std::vector<v1::Task>> warm_tasks = c.Tasks(warm->job_id());
  if (!warm_tasks.ok()) return warm_tasks.status();
  std::vector<double> cold;
  for (const v1::Task& t : *warm_tasks) {
    for (const v1::Attempt& a : t.attempts()) {
      if (a.has_init_duration())
        cold.push_back(absl::ToDoubleMilliseconds(FromProto(a.init_duration())));
    }
  }
  row.cold_p50_ms = Percentile(cold, 0.5);
  row.cold_max_ms = cold.empty() ? 0 : *std::max_element(cold.begin(), cold.end());
  const int n = absl::GetFlag(FLAGS_invocations);
  const absl::Time start = absl::Now();
  absl::StatusOr<v1::Job> job = RunItems(c, function, n);
  if (!job.ok()) return job.status();
  row.tasks_per_second = n / absl::ToDoubleSeconds(absl::Now() - start);
  absl::StatusOr<std::vector<v1::Task>> tasks = c.Tasks(job->job_id());
  if (!tasks.ok()) return tasks.status();
  std::vector<double> warm_ms;
  for (const v1::Task& t : *tasks) {
    for (const v1::Attempt& a : t.attempts()) {
      if (!a.has_init_duration())
        warm_ms.push_back(absl::ToDoubleMilliseconds(FromProto(a.duration())));
    }
  }
  row.warm_p50_ms = Percentile(warm_ms, 0.5);
  row.warm_p99_ms = Percentile(warm_ms, 0.99);
  std::vector<double> invoke_ms, inside_ms;
  for (int i = 0; i < absl::GetFlag(FLAGS_invokes); ++i) {
    v1::JobSpec spec;
    spec.set_function(function);
    spec.set_source(absl::StrCat("[", i, "]"));
    spec.mutable_options()->set_max_attempts(1);
    const absl::Time t0 = absl::Now();
    absl::StatusOr<v1::Job> one = c.RunJob(spec);
    if (!one.ok()) return one.status();
    v1::GetResultsRequest request;
    request.set_job_id(one->job_id());
    v1::GetResultsResponse results;
    grpc::ClientContext context;
    if (grpc::Status s = c.jobs().GetResults(&context, request, &results); !s.ok()) {
      return absl::InternalError(s.error_message());
    }
    invoke_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - t0));
    inside_ms.push_back(
        absl::ToDoubleMilliseconds(FromProto(one->finished_at()) - FromProto(one->created_at())));
  }
  row.inside_p50_ms = Percentile(inside_ms, 0.5);
  row.inside_p99_ms = Percentile(inside_ms, 0.99);
  row.invoke_p50_ms = Percentile(invoke_ms, 0.5);
  row.invoke_p99_ms = Percentile(invoke_ms, 0.99);
  return row;
}

int Run() {
  std::string modules = absl::GetFlag(FLAGS_node_modules);
  if (modules.empty() && std::getenv("FANOUT_RIC_MODULES") != nullptr) {
    modules = std::getenv("FANOUT_RIC_MODULES");
  }
  auto cluster = BenchCluster::Start(absl::GetFlag(FLAGS_bin_dir), absl::GetFlag(FLAGS_workers),
                                     absl::GetFlag(FLAGS_slots));
  if (!cluster.ok()) {
    std::cerr << cluster.status() << "\n";
    return 1;
  }
  BenchCluster& c = **cluster;
  const std::string examples = absl::GetFlag(FLAGS_examples);
  const std::string scratch = c.dir();
  std::filesystem::create_directories(scratch + "/exec");
  std::ofstream(scratch + "/exec/README") << "runtime exec: the command is the function\n";
  std::vector<Function> functions = {
      {"bash (docs' bootstrap)", "bash-echo", "provided", "function.handler", examples + "/bash"},
      {"exec (cat)", "exec-echo", "exec", "cat", scratch + "/exec"},
  };
  if (!modules.empty()) {
    const std::string node = scratch + "/node";
    std::filesystem::copy(examples + "/node", node, std::filesystem::copy_options::recursive);
    std::filesystem::copy(modules, node + "/node_modules",
                          std::filesystem::copy_options::recursive);
    functions.insert(functions.begin() + 1,
                     {"node (aws-lambda-ric)", "node-echo", "provided", "index.handler", node});
  }
  auto stub = v1::FunctionService::NewStub(
      grpc::CreateChannel(c.address(), grpc::InsecureChannelCredentials()));
  std::vector<Row> rows;
  for (const Function& f : functions) {
    const absl::Status created = Create(*stub, f, scratch);
    absl::StatusOr<Row> row = created.ok() ? Measure(c, f.label, f.name) : created;
    if (!row.ok()) {
      std::cerr << f.label << ": " << row.status() << "\n";
      return 1;
    }
    rows.push_back(*row);
  }
  absl::StatusOr<Row> noop = Measure(c, "builtin:noop", "builtin:noop");
  if (!noop.ok()) {
    std::cerr << noop.status() << "\n";
    return 1;
  }
  rows.push_back(*noop);
  std::cout << absl::StrFormat(
      "function-overhead: %d one-item tasks per function, %d workers x %d slots, durable\n"
      "| function | tasks/s | vs noop | warm invocation p50 / p99 | cold start p50 / max | "
      "invoke inside p50 / p99 | invoke round trip p50 / p99 |\n"
      "|---|---|---|---|---|---|---|\n",
      absl::GetFlag(FLAGS_invocations), absl::GetFlag(FLAGS_workers), absl::GetFlag(FLAGS_slots));
  for (const Row& r : rows) {
    std::cout << absl::StrFormat(
        "| %s | %.0f | %.3fx | %.2f / %.2f ms | %s | %.2f / %.2f ms | %.1f / %.1f ms |\n", r.label,
        r.tasks_per_second, r.tasks_per_second / noop->tasks_per_second, r.warm_p50_ms,
        r.warm_p99_ms,
        r.cold_max_ms > 0 ? absl::StrFormat("%.0f / %.0f ms", r.cold_p50_ms, r.cold_max_ms)
                          : std::string("—"),
        r.inside_p50_ms, r.inside_p99_ms, r.invoke_p50_ms, r.invoke_p99_ms);
  }
  std::cout
      << "(warm invocation: the slot's time from taking the task to the function's response,\n"
         " as the worker measured it; invoke inside: a one-item job's submit to its durable\n"
         " end, on the coordinator's clock; invoke round trip: the same seen by an in-process\n"
         " client through WatchJob and GetResults)\n";
  return 0;
}

}  // namespace
}  // namespace fanout::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return fanout::bench::Run();
}
