// The `fanout` CLI and the processes' lifecycle, against real binaries: JSON output, exit codes,
// clear errors for bad input, idempotent submission, cancel, workers, SIGTERM draining, health and
// reflection, and `fanout dev`.
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/http_server.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/free_port.h"
#include "tests/http_client.h"
#include "tests/test_cluster.h"

namespace fanout::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

class CliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster_ = new TestCluster("cli");
    ASSERT_TRUE(cluster_->StartCoordinator({"--lease_ttl=3s"}).ok());
    ASSERT_TRUE(cluster_->StartWorker("cli-w1", 4).ok());
  }
  static void TearDownTestSuite() { delete cluster_; }

  static std::string SubmitJson(std::vector<std::string> args) {
    args.insert(args.begin(), "submit");
    args.push_back("--json");
    CommandResult r = cluster_->Cli(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out)["job_id"];
  }

  static TestCluster* cluster_;
};
TestCluster* CliTest::cluster_ = nullptr;

TEST_F(CliTest, StatusJsonHasStateAndEveryCount) {
  const std::string id = SubmitJson({"--function=builtin:noop", "--source=[1, 2, 3]"});
  ASSERT_TRUE(cluster_->WaitForJob(id, absl::Seconds(30)).ok());
  CommandResult r = cluster_->Cli({"status", id, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json status = json::parse(r.out);
  EXPECT_EQ(status["state"], "succeeded");
  EXPECT_EQ(status["total"], 3);
  EXPECT_EQ(status["succeeded"], 3);
  for (const char* key : {"pending", "running", "failed", "dead", "cancelled"}) {
    EXPECT_EQ(status[key], 0) << key;
  }
  CommandResult text = cluster_->Cli({"status", id});
  EXPECT_THAT(text.out, HasSubstr("succeeded 3"));
  // A task the job does not have: said, not an empty answer.
  CommandResult logs = cluster_->Cli({"logs", id, "--task=999"});
  EXPECT_EQ(logs.exit_code, 2);
  EXPECT_THAT(logs.err, HasSubstr("has tasks 0 to 2"));
}

TEST_F(CliTest, WaitShowsProgressAndSucceeds) {
  CommandResult r = cluster_->Cli(
      {"submit", "--function=builtin:sleep", "--source=range:1-20", "--param", "ms=20", "--wait"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("20/20 tasks"));
  EXPECT_THAT(r.out, HasSubstr("succeeded: 20 tasks"));
}

TEST_F(CliTest, WaitExitsNonZeroWhenTheJobFails) {
  CommandResult r = cluster_->Cli(
      {"submit", "--function=builtin:fail", R"(--source=[{"fail": "fatal"}, 1])", "--wait"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.out, HasSubstr("failed"));
}

TEST_F(CliTest, ParamsReachEveryInvocation) {
  const std::string id =
      SubmitJson({"--function=builtin:fail", "--source=range:1-3", "--param", "fail=invalid",
                  "--param=message=bad thing", "--max_attempts=1"});
  ASSERT_TRUE(cluster_->WaitForJob(id, absl::Seconds(30)).ok());
  CommandResult r = cluster_->Cli({"results", id});
  std::istringstream in(r.out);
  int lines = 0;
  for (std::string line; std::getline(in, line); ++lines) {
    json item = json::parse(line);
    EXPECT_EQ(item["state"], "failed");
    EXPECT_EQ(item["error"]["code"], "invalid_input");
    EXPECT_EQ(item["error"]["message"], "bad thing");
  }
  EXPECT_EQ(lines, 3);
}

TEST_F(CliTest, BadInputExitsTwoNamingTheField) {
  CommandResult r = cluster_->Cli({"submit", "--function=builtin:nope", "--source=range:1-2"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("function:"));
  r = cluster_->Cli({"submit", "--function=builtin:noop", "--source=range:2-1"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("source:"));
  r = cluster_->Cli({"submit", "--function=builtin:noop", "--source=[1", "--json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("source:"));
  r = cluster_->Cli({"submit", "--function=builtin:noop", "--source=[1]", "--param", "novalue"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--param"));
  r = cluster_->Cli({"status", "job-424242"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("no job"));
}

TEST_F(CliTest, SameIdempotencyKeyGivesTheSameJob) {
  std::vector<std::string> args = {"submit", "--function=builtin:noop", "--source=range:1-5",
                                   "--idempotency_key=cli-once", "--json"};
  CommandResult first = cluster_->Cli(args);
  CommandResult again = cluster_->Cli(args);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(json::parse(first.out)["job_id"], json::parse(again.out)["job_id"]);
  EXPECT_EQ(json::parse(again.out)["created"], false);
}

// "running" is handlers running, as the worker says (its 4 slots), "leased" the tasks it holds.
TEST_F(CliTest, StatusRunningCountsHandlersTheWorkerRuns) {
  const std::string id =
      SubmitJson({"--function=builtin:sleep", "--source=range:1-4", "--param", "ms=5000"});
  ASSERT_TRUE(
      cluster_->WaitForJob(id, [](const v1::Job& j) { return j.counts().handlers_running() == 4; })
          .ok());
  CommandResult r = cluster_->Cli({"status", id, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json status = json::parse(r.out);
  EXPECT_EQ(status["running"], 4) << r.out;
  EXPECT_GE(status["leased"].get<int>(), 4) << r.out;
  CommandResult text = cluster_->Cli({"status", id});
  EXPECT_THAT(text.out, HasSubstr("running 4")) << text.out;
  EXPECT_EQ(cluster_->Cli({"cancel", id}).exit_code, 0);
}

TEST_F(CliTest, CancelStopsTheJob) {
  const std::string id =
      SubmitJson({"--function=builtin:sleep", "--source=range:1-200", "--param", "ms=500"});
  ASSERT_TRUE(
      cluster_->WaitForJob(id, [](const v1::Job& j) { return j.counts().running() > 0; }).ok());
  CommandResult r = cluster_->Cli({"cancel", id, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json status = json::parse(r.out);
  EXPECT_EQ(status["state"], "cancelled");
  EXPECT_GT(status["cancelled"].get<int>(), 150);
  EXPECT_EQ(status["pending"], 0);
  EXPECT_EQ(status["running"], 0);
  EXPECT_EQ(status["leased"], 0);
  // `list` counts as done what ran to an end: not the cancelled tasks (it said 200 of 200).
  const int finished =
      status["succeeded"].get<int>() + status["failed"].get<int>() + status["dead"].get<int>();
  CommandResult list = cluster_->Cli({"list"});
  std::istringstream lines(list.out);
  bool listed = false;
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    std::string job, state, done;
    fields >> job >> state >> done;
    if (job != id) continue;
    listed = true;
    EXPECT_EQ(done, std::to_string(finished)) << line;
  }
  EXPECT_TRUE(listed) << list.out;
}

// Ctrl-C while following a job: a newline after the bar, word that the job goes on and how to get
// back to it, exit 130; the job is not cancelled.
TEST_F(CliTest, InterruptedWatchSaysTheJobGoesOnAndExits130) {
  const std::string id =
      SubmitJson({"--function=builtin:sleep", "--source=range:1-40", "--param", "ms=200"});
  const std::string log = ArtifactDir() + "/interrupted-watch.log";
  auto watch = Process::Spawn(Runfile("cli/fanout"),
                              {"watch", id, "--coordinator=" + cluster_->address()}, log);
  ASSERT_TRUE(watch.ok()) << watch.status();
  ASSERT_TRUE(
      cluster_->WaitForJob(id, [](const v1::Job& j) { return j.counts().succeeded() > 0; }).ok());
  absl::SleepFor(absl::Milliseconds(300));  // the watch is drawing by now
  (*watch)->Signal(SIGINT);
  EXPECT_EQ((*watch)->Wait(absl::Seconds(10)), 130);
  std::ifstream in(log);
  const std::string said((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_THAT(said, HasSubstr("\n" + id + " is still running: fanout watch " + id));
  EXPECT_THAT(said, HasSubstr("fanout cancel " + id));
  EXPECT_EQ(cluster_->GetJob(id)->state(), v1::JOB_RUNNING) << "interrupting is not cancelling";
  ASSERT_TRUE(cluster_->Cli({"cancel", id}).exit_code == 0);
}

// A store that fails is the store's failure, told as such (exit 5), not an unreachable
// coordinator (exit 3): the coordinator answered.
TEST(StoreErrorTest, AFailingS3StoreIsBlamedNotTheCoordinator) {
  absl::StatusOr<std::unique_ptr<HttpServer>> store =
      HttpServer::Start("127.0.0.1:0", "store", [](const HttpRequest&) {
        return HttpResponse{500, "application/xml",
                            "<Error><Code>InternalError</Code><Message>down</Message></Error>"};
      });
  ASSERT_TRUE(store.ok()) << store.status();
  TestCluster cluster("store-error",
                      {"AWS_ACCESS_KEY_ID=k", "AWS_SECRET_ACCESS_KEY=s", "AWS_REGION=us-east-1",
                       absl::StrCat("AWS_ENDPOINT_URL=http://127.0.0.1:", (*store)->port())});
  ASSERT_TRUE(cluster.StartCoordinator().ok());
  CommandResult r = cluster.Cli({"submit", "--function=builtin:noop", "--source=s3://src/data/"});
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_THAT(r.err, HasSubstr("the coordinator at " + cluster.address() + " answered:"));
  EXPECT_THAT(r.err, ::testing::Not(HasSubstr("cannot reach")));
}

// A file source's path means what it means where the user typed it, not in the coordinator's
// directory.
TEST_F(CliTest, RelativeSourcePathsAreTheCallersAndAnEndedJobIsNotCancelled) {
  const std::string dir = TestDir("relative-source");
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/items.jsonl") << "{\"n\": 1}\n{\"n\": 2}\n{\"n\": 3}\n";
  const std::filesystem::path before = std::filesystem::current_path();
  std::filesystem::current_path(dir);
  CommandResult r = cluster_->Cli(
      {"submit", "--function=builtin:noop", "--source=jsonl:items.jsonl", "--wait", "--json"});
  std::filesystem::current_path(before);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json done = json::parse(r.out);
  EXPECT_EQ(done["succeeded"], 3);
  CommandResult cancel = cluster_->Cli({"cancel", done["job_id"].get<std::string>()});
  EXPECT_EQ(cancel.exit_code, 0);
  EXPECT_THAT(cancel.err, HasSubstr("had already ended (succeeded): nothing to cancel"));
}

TEST_F(CliTest, WorkersListsRunningWorkers) {
  CommandResult r = cluster_->Cli({"workers", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json workers = json::parse(r.out);
  ASSERT_GE(workers.size(), 1);
  bool found = false;
  for (const json& w : workers) found |= w["worker_id"] == "cli-w1" && w["slots"] == 4;
  EXPECT_TRUE(found) << r.out;
}

// A worker that stopped is listed as gone at once and left out of the totals; one killed (no
// goodbye) is gone once the lease TTL passed without a call from it.
TEST(WorkersTest, StoppedAndSilentWorkersAreGoneAndCountedNowhere) {
  TestCluster cluster("workers-gone");
  ASSERT_TRUE(cluster.StartCoordinator({"--lease_ttl=2s"}).ok());
  for (const char* id : {"stays", "stops", "dies"}) ASSERT_TRUE(cluster.StartWorker(id, 4).ok());
  absl::SleepFor(absl::Milliseconds(500));  // each has called by now
  cluster.KillWorker("stops", SIGTERM);
  auto gone = [&cluster]() {
    std::map<std::string, bool> out;
    CommandResult r = cluster.Cli({"workers", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    for (const json& w : json::parse(r.out)) out[w["worker_id"]] = w["gone"];
    return out;
  };
  std::map<std::string, bool> now = gone();
  EXPECT_FALSE(now["stays"]);
  EXPECT_TRUE(now["stops"]) << "it said goodbye";
  EXPECT_FALSE(now["dies"]);
  cluster.KillWorker("dies", SIGKILL);
  absl::SleepFor(absl::Milliseconds(2500));  // past the TTL
  now = gone();
  EXPECT_FALSE(now["stays"]);
  EXPECT_TRUE(now["dies"]) << "silent past the lease TTL";
  CommandResult text = cluster.Cli({"workers"});
  EXPECT_THAT(text.out, HasSubstr("1 live worker, 0 of 4 slots busy; 2 gone"));
}

TEST_F(CliTest, ListShowsNewestFirst) {
  const std::string id = SubmitJson({"--function=builtin:noop", "--source=[7]"});
  CommandResult r = cluster_->Cli({"list", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)[0]["job_id"], id);
}

TEST_F(CliTest, HealthAndReflectionAreServed) {
  auto channel = grpc::CreateChannel(cluster_->address(), grpc::InsecureChannelCredentials());
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  grpc::ClientContext health_context;
  ASSERT_TRUE(
      grpc::health::v1::Health::NewStub(channel)->Check(&health_context, request, &response).ok());
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);

  grpc::ClientContext context;
  auto stream =
      grpc::reflection::v1alpha::ServerReflection::NewStub(channel)->ServerReflectionInfo(&context);
  grpc::reflection::v1alpha::ServerReflectionRequest ask;
  ask.set_list_services("");
  ASSERT_TRUE(stream->Write(ask));
  stream->WritesDone();
  grpc::reflection::v1alpha::ServerReflectionResponse answer;
  ASSERT_TRUE(stream->Read(&answer));
  std::set<std::string> services;
  for (const auto& s : answer.list_services_response().service()) services.insert(s.name());
  EXPECT_TRUE(services.count("fanout.v1.JobService"));
  EXPECT_TRUE(services.count("fanout.v1.WorkerService"));
  stream->Finish();
}

TEST(LifecycleTest, SigtermDrainsWorkerAndCoordinatorCleanly) {
  TestCluster cluster("drain");
  ASSERT_TRUE(cluster.StartCoordinator().ok());
  ASSERT_TRUE(cluster.StartWorker("leaving", 2).ok());
  v1::JobSpec spec;
  spec.set_function("builtin:sleep");
  spec.set_source("range:1-40");
  spec.set_params_json(R"({"ms": 200})");
  absl::StatusOr<v1::Job> job = cluster.Submit(spec);
  ASSERT_TRUE(job.ok());
  ASSERT_TRUE(  // the leaving worker is in the middle of the job, with tasks of its own
      cluster
          .WaitForJob(job->job_id(), [](const v1::Job& j) { return j.counts().succeeded() >= 4; })
          .ok());
  cluster.worker("leaving")->Signal(SIGTERM);
  EXPECT_EQ(cluster.worker("leaving")->Wait(absl::Seconds(20)), 0);
  ASSERT_TRUE(cluster.StartWorker("staying", 4).ok());
  absl::StatusOr<v1::Job> done = cluster.WaitForJob(job->job_id(), absl::Seconds(60));
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->state(), v1::JOB_SUCCEEDED);
  // A clean drain loses no lease: every attempt ended by a report, none by expiry, and tasks the
  // leaving worker had not started were released without using an attempt.
  absl::StatusOr<std::vector<v1::Task>> tasks = cluster.Tasks(job->job_id());
  ASSERT_TRUE(tasks.ok());
  for (const v1::Task& t : *tasks) {
    EXPECT_EQ(t.attempt(), 1) << t.ShortDebugString();
    for (const v1::Attempt& a : t.attempts()) EXPECT_TRUE(a.reported()) << t.ShortDebugString();
  }
  cluster.coordinator()->Signal(SIGTERM);
  EXPECT_EQ(cluster.coordinator()->Wait(absl::Seconds(20)), 0);
}

// A `fanout dev` on a free port with `flags`, its data in TestDir(NAME-data).
struct Dev {
  std::unique_ptr<Process> process;
  int port = 0;
  std::string data_dir;
};
absl::StatusOr<Dev> StartDev(const std::string& name, std::vector<std::string> flags) {
  Dev dev;
  dev.data_dir = TestDir(name + "-data");
  const std::string port_file = TestDir(name + "-port");
  flags.insert(flags.begin(), {"dev", "--data_dir=" + dev.data_dir, "--listen=127.0.0.1:0",
                               "--port_file=" + port_file});
  absl::StatusOr<std::unique_ptr<Process>> process =
      Process::Spawn(Runfile("cli/fanout"), flags, ArtifactDir() + "/" + name + ".log");
  if (!process.ok()) return process.status();
  dev.process = std::move(*process);
  absl::StatusOr<int> port = AwaitPortFile(*dev.process, port_file, "fanout dev");
  if (!port.ok()) return port.status();
  dev.port = *port;
  return dev;
}

TEST(DevTest, DevRunsAJobInOneProcessAndItsMetricsAreEveryProcesss) {
  const int http = FreePortBelowEphemeral();
  absl::StatusOr<Dev> dev =
      StartDev("dev", {"--workers=2", absl::StrCat("--http_listen=127.0.0.1:", http)});
  ASSERT_TRUE(dev.ok()) << dev.status();
  const int port = dev->port;
  CommandResult r = RunCommand(Runfile("cli/fanout"),
                               {"submit", absl::StrCat("--coordinator=127.0.0.1:", port),
                                "--function=builtin:noop", "--source=range:1-500", "--wait"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("500 succeeded"));
  // The dashboard's /metrics: the coordinator's series and the in-process workers' too.
  absl::StatusOr<s3::HttpResponse> metrics = HttpGet(http, "/metrics");
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  EXPECT_THAT(metrics->body, HasSubstr("fanout_workers 2"));
  EXPECT_THAT(metrics->body, HasSubstr("fanout_worker_slots 8"));
  EXPECT_THAT(metrics->body, HasSubstr("fanout_worker_invocations_total{"));
  dev->process->Signal(SIGTERM);
  EXPECT_EQ(dev->process->Wait(absl::Seconds(20)), 0);
}

// The client execs fanout-dev for `fanout dev`; without it, it says so (and does not start a
// half-dev of its own).
TEST(DevTest, DevWithoutFanoutDevBesideTheClientSaysWhatIsMissing) {
  const std::string dir = TestDir("lonely-client");
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(Runfile("cli/fanout"), dir + "/fanout");
  CommandResult r = RunCommand(dir + "/fanout", {"dev", "--workers=1"});
  EXPECT_EQ(r.exit_code, 127) << r.err;
  EXPECT_THAT(r.err,
              HasSubstr("cannot run fanout-dev: not beside this binary (" + dir + "/fanout-dev"));
}

// `fanout dev --tls --auth=required`: TLS and tokens in one command; its own workers get tokens
// of their own; a client needs the CA it made and the admin token.
TEST(DevTest, DevWithTlsAndAuthRunsAJobForAClientWithTheCaAndAToken) {
  absl::StatusOr<Dev> dev =
      StartDev("dev-tls", {"--tls", "--auth=required", "--http_listen=", "--workers=1"});
  ASSERT_TRUE(dev.ok()) << dev.status();
  const int port = dev->port;
  const std::string& dir = dev->data_dir;
  const std::vector<std::string> submit = {"submit", absl::StrCat("--coordinator=127.0.0.1:", port),
                                           "--function=builtin:noop", "--source=range:1-50",
                                           "--wait"};
  CommandResult plain = RunCommand(Runfile("cli/fanout"), submit);
  EXPECT_EQ(plain.exit_code, 3) << "no TLS: no connection";
  std::vector<std::string> with_tls = submit;
  with_tls.push_back("--tls_ca=" + dir + "/tls/ca.pem");
  CommandResult anonymous = RunCommand(Runfile("cli/fanout"), with_tls);
  EXPECT_EQ(anonymous.exit_code, 4) << anonymous.err;
  with_tls.push_back("--token_file=" + dir + "/admin.token");
  CommandResult r = RunCommand(Runfile("cli/fanout"), with_tls);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("50 succeeded"));
  dev->process->Signal(SIGTERM);
  EXPECT_EQ(dev->process->Wait(absl::Seconds(20)), 0);
}

}  // namespace
}  // namespace fanout::testing
