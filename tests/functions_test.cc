// Users' functions end to end on real processes: `fanout function create` from a directory, jobs
// and `fanout invoke` on two workers, with the docs' bash bootstrap, a stdlib Python loop and
// Node's unmodified aws-lambda-ric; errors with their types, init failures, a crash retried on a
// fresh runtime, checkpoints across time limits, the memory limit, and no process left behind.
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "proto/function_service.grpc.pb.h"
#include "tests/test_cluster.h"

namespace fanout::testing {
namespace {

using ::testing::HasSubstr;

std::string TestTmp() {
  const char* tmp = std::getenv("TEST_TMPDIR");
  return tmp != nullptr ? tmp : "/tmp";
}

// Copies examples/functions/NAME (and, for Node, the node_modules ./dev installed) into a fresh
// directory: the code a user would deploy.
std::string FunctionDir(const std::string& name) {
  const std::string dir = absl::StrCat(TestTmp(), "/fn-", name);
  std::string command =
      absl::StrCat("rm -rf ", dir, " && cp -rL ", Runfile("examples/functions/" + name), " ", dir);
  if (name == "node") {
    absl::StrAppend(&command, " && cp -r ", std::getenv("FANOUT_RIC_MODULES"), " ", dir,
                    "/node_modules");
  }
  EXPECT_EQ(std::system(command.c_str()), 0) << command;
  return dir;
}

// argv of `sleep 317`, as /proc shows it
const std::string kSleeper(
    "sleep\0"
    "317",
    9);

class FunctionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(cluster_.StartCoordinator().ok());
    for (const char* id : {"w1", "w2"}) {
      ASSERT_TRUE(cluster_
                      .StartWorker(id, 4,
                                   {absl::StrCat("--cache_dir=", TestTmp(), "/cache-", id),
                                    absl::StrCat("--function_log_dir=", TestTmp(), "/logs-", id),
                                    "--runtime_idle=30s"})
                      .ok());
    }
  }
  void Create(const std::string& name, const std::string& dir, std::vector<std::string> flags) {
    std::vector<std::string> args = {"function", "create", name, "--code=" + dir, "--json"};
    args.insert(args.end(), flags.begin(), flags.end());
    CommandResult r = cluster_.Cli(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    nlohmann::json created = nlohmann::json::parse(r.out);
    EXPECT_EQ(created["name"], name);
    EXPECT_EQ(created["version"], 1);
    EXPECT_EQ(created["code_sha256"].get<std::string>().size(), 64u);
    EXPECT_GT(created["code_bytes"].get<int>(), 0);
  }
  v1::Job Run(const std::string& function, const std::string& source, int max_attempts = 3,
              absl::Duration timeout = absl::ZeroDuration()) {
    v1::JobSpec spec;
    spec.set_function(function);
    spec.set_source(source);
    spec.mutable_options()->set_max_attempts(max_attempts);
    spec.mutable_options()->mutable_backoff_initial()->set_nanos(50'000'000);
    if (timeout > absl::ZeroDuration()) {
      spec.mutable_options()->mutable_timeout()->set_seconds(absl::ToInt64Seconds(timeout));
    }
    absl::StatusOr<v1::Job> job = cluster_.Submit(spec);
    EXPECT_TRUE(job.ok()) << job.status();
    absl::StatusOr<v1::Job> done = cluster_.WaitForJob(job->job_id(), absl::Minutes(3));
    EXPECT_TRUE(done.ok()) << done.status();
    return *done;
  }

  // Makes a function in `dir` whose runtime starts `sleep 317` and waits on it, runs it and returns
  // once the sleep runs.
  void RunSleeper(const std::string& dir) {
    ASSERT_EQ(std::system(("mkdir -p " + dir).c_str()), 0);
    std::ofstream(dir + "/bootstrap") << R"SH(#!/bin/bash
curl -sS "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/next" >/dev/null
sleep 317
)SH";
    ::chmod((dir + "/bootstrap").c_str(), 0755);
    Create("sleeper", dir, {"--timeout=600s"});
    v1::JobSpec spec;
    spec.set_function("sleeper");
    spec.set_source("[1]");
    ASSERT_TRUE(cluster_.Submit(spec).ok());
    const absl::Time until = absl::Now() + absl::Seconds(20);
    while (ProcessesMentioning(kSleeper) == 0 && absl::Now() < until) {
      absl::SleepFor(absl::Milliseconds(50));
    }
    ASSERT_EQ(ProcessesMentioning(kSleeper), 1);
  }

  TestCluster cluster_{"functions"};
};

TEST_F(FunctionsTest, TheDocsBashTutorialRunsAThousandItemsAndAnswersInvoke) {
  Create("bash-echo", FunctionDir("bash"), {"--handler=function.handler"});
  v1::Job job = Run("bash-echo", "range:1-1000");
  EXPECT_EQ(job.state(), v1::JOB_SUCCEEDED);
  EXPECT_EQ(job.spec().function(), "bash-echo:1");  // pinned at submit
  absl::StatusOr<std::vector<v1::ItemResult>> results = cluster_.Results(job.job_id());
  ASSERT_TRUE(results.ok());
  ASSERT_EQ(results->size(), 1000u);
  for (const v1::ItemResult& r : *results) {
    ASSERT_EQ(r.state(), v1::TASK_SUCCEEDED);
    EXPECT_EQ(nlohmann::json::parse(r.result())["echo"], nlohmann::json::parse(r.item()));
  }
  CommandResult invoked = cluster_.Cli({"invoke", "bash-echo", R"(--payload={"hello":"world"})"});
  EXPECT_EQ(invoked.exit_code, 0) << invoked.err;
  EXPECT_EQ(nlohmann::json::parse(invoked.out),
            nlohmann::json::parse(R"({"echo":{"hello":"world"}})"));
}

TEST_F(FunctionsTest, APythonLoopReportsItsErrorsByType) {
  Create("py-words", FunctionDir("python"), {"--handler=handler.main", "--memory_mb=256"});
  CommandResult ok = cluster_.Cli({"invoke", "py-words", R"(--payload={"text":"a b c"})"});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(nlohmann::json::parse(ok.out)["words"], 3);
  CommandResult failed = cluster_.Cli({"invoke", "py-words", R"(--payload={"fail":"no text"})"});
  EXPECT_EQ(failed.exit_code, 1);
  nlohmann::json error = nlohmann::json::parse(failed.out);
  EXPECT_EQ(error["errorType"], "ValueError");
  EXPECT_EQ(error["errorMessage"], "no text");
  Create("py-missing", FunctionDir("python"), {"--handler=nope.main"});
  CommandResult init = cluster_.Cli({"invoke", "py-missing"});
  EXPECT_EQ(init.exit_code, 1);
  EXPECT_EQ(nlohmann::json::parse(init.out)["errorType"], "Runtime.ImportModuleError");
}

TEST_F(FunctionsTest, ExecRunsACommandPerItem) {
  const std::string dir = absl::StrCat(TestTmp(), "/fn-exec");
  ASSERT_EQ(std::system(("mkdir -p " + dir).c_str()), 0);
  std::ofstream(dir + "/square.py") << "import json, sys\n"
                                       "e = json.load(sys.stdin)\n"
                                       "if e == 13: sys.exit(3)\n"
                                       "print(json.dumps({'sq': e * e}))\n";
  Create("exec-len", dir, {"--runtime=exec", "--handler=python3 square.py"});
  v1::Job job = Run("exec-len", "range:1-20", 1);
  EXPECT_EQ(job.state(), v1::JOB_FAILED);
  absl::StatusOr<std::vector<v1::ItemResult>> results = cluster_.Results(job.job_id());
  ASSERT_TRUE(results.ok());
  for (const v1::ItemResult& r : *results) {
    const int n = std::stoi(r.item());
    if (n == 13) {
      EXPECT_EQ(r.state(), v1::TASK_DEAD);
      EXPECT_THAT(r.error().message(), HasSubstr("exit 3"));
    } else {
      ASSERT_EQ(r.state(), v1::TASK_SUCCEEDED) << r.error().message();
      EXPECT_EQ(nlohmann::json::parse(r.result())["sq"], n * n);
    }
  }
}

// What a function declares of its parameters is checked at submit: a job without a required one,
// or with an unknown or mistyped one, is refused (exit 2, naming it) before any task runs.
TEST_F(FunctionsTest, DeclaredParametersAreCheckedAtSubmit) {
  const std::string dir = absl::StrCat(TestTmp(), "/fn-params");
  ASSERT_EQ(std::system(("mkdir -p " + dir).c_str()), 0);
  Create("params", dir,
         {"--runtime=exec", "--handler=printf %s \"$FANOUT_PARAMS\"",
          "--declare_params=width:integer:required,mode:string"});
  auto submit = [&](std::vector<std::string> params) {
    std::vector<std::string> args = {"submit", "--function=params", "--source=[1]", "--wait"};
    for (const std::string& p : params) args.insert(args.end(), {"--param", p});
    return cluster_.Cli(args);
  };
  CommandResult missing = submit({"mode=fit"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("params.width: params:1 needs it"));
  CommandResult typo = submit({"width=64", "mdoe=fit"});
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_THAT(typo.err, HasSubstr("did you mean mode?"));
  CommandResult mistyped = submit({"width=wide"});
  EXPECT_EQ(mistyped.exit_code, 2);
  EXPECT_THAT(mistyped.err, HasSubstr("declares it integer"));
  EXPECT_EQ(cluster_.Cli({"list"}).out.find("params:1"), std::string::npos) << "no job was made";
  CommandResult ran = submit({"width=64", "mode=fit"});
  ASSERT_EQ(ran.exit_code, 0) << ran.err;
  // invoke takes --param too: a function with a required one stays invocable.
  CommandResult invoked = cluster_.Cli({"invoke", "params", "--param", "width=3"});
  ASSERT_EQ(invoked.exit_code, 0) << invoked.err;
  EXPECT_EQ(nlohmann::json::parse(invoked.out), nlohmann::json::parse(R"({"width":3})"));
  EXPECT_EQ(cluster_.Cli({"invoke", "params"}).exit_code, 2);
  CommandResult shown = cluster_.Cli({"function", "get", "params"});
  EXPECT_THAT(shown.out, HasSubstr("params width:integer:required, mode:string"));
  CommandResult bad = cluster_.Cli({"function", "update", "params", "--code=" + dir,
                                    "--runtime=exec", "--handler=true", "--declare_params=w:int"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("type 'int' is not one of"));
}

// --secret_env values reach the function's environment and nothing else: not the create answer,
// get, list, nor the coordinator's or the workers' logs.
TEST_F(FunctionsTest, SecretEnvReachesTheFunctionAndIsNeverShown) {
  const std::string secret = "s3cr3t-value-41f9";
  const std::string dir = absl::StrCat(TestTmp(), "/fn-secret");
  ASSERT_EQ(std::system(("mkdir -p " + dir).c_str()), 0);
  std::ofstream(dir + "/show.py") << "import json, os, sys\n"
                                     "json.load(sys.stdin)\n"
                                     "print(json.dumps({'t': os.environ['API_TOKEN'],"
                                     " 'p': os.environ['PLAIN']}))\n";
  CommandResult created = cluster_.Cli({"function", "create", "show-env", "--code=" + dir,
                                        "--runtime=exec", "--handler=python3 show.py", "--json",
                                        "--secret_env", "API_TOKEN=" + secret, "--env=PLAIN=p"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  EXPECT_EQ(nlohmann::json::parse(created.out)["env"]["API_TOKEN"], "(secret)");
  for (const std::vector<std::string>& shown :
       {std::vector<std::string>{"function", "get", "show-env", "--json"},
        std::vector<std::string>{"function", "get", "show-env"},
        std::vector<std::string>{"function", "list", "--json"}}) {
    CommandResult r = cluster_.Cli(shown);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out.find(secret), std::string::npos) << shown[1] << ": " << r.out;
  }
  // On the wire too: the value leaves the coordinator only when a worker asks with_secrets.
  auto functions = v1::FunctionService::NewStub(
      grpc::CreateChannel(cluster_.address(), grpc::InsecureChannelCredentials()));
  for (bool with_secrets : {false, true}) {
    grpc::ClientContext context;
    v1::GetFunctionRequest get;
    get.set_name("show-env");
    get.set_with_secrets(with_secrets);
    v1::FunctionVersion version;
    ASSERT_TRUE(functions->GetFunction(&context, get, &version).ok());
    for (const v1::EnvVar& var : version.settings().env()) {
      if (var.name() == "API_TOKEN") {
        EXPECT_EQ(var.value(), with_secrets ? secret : "");
      }
    }
  }
  CommandResult invoked = cluster_.Cli({"invoke", "show-env"});
  ASSERT_EQ(invoked.exit_code, 0) << invoked.err;
  EXPECT_EQ(nlohmann::json::parse(invoked.out)["t"], secret);
  EXPECT_EQ(nlohmann::json::parse(invoked.out)["p"], "p");
  for (const char* log : {"coordinator", "w1", "w2"}) {
    std::ifstream in(absl::StrCat(ArtifactDir(), "/functions-", log, ".log"));
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(text.find(secret), std::string::npos) << log;
  }
}

class NodeFunctionsTest : public FunctionsTest {
 protected:
  void SetUp() override {
    if (std::getenv("FANOUT_RIC_MODULES") == nullptr) {
      GTEST_SKIP() << "FANOUT_RIC_MODULES is not set (./dev test installs aws-lambda-ric)";
    }
    FunctionsTest::SetUp();
    Create("node", FunctionDir("node"), {"--handler=index.handler", "--timeout=2s"});
  }
};

TEST_F(NodeFunctionsTest, AwsLambdaRicRunsAThousandItemsAndThrownErrorsKeepTheirType) {
  v1::Job job = Run("node", "range:1-1000");
  EXPECT_EQ(job.state(), v1::JOB_SUCCEEDED);
  absl::StatusOr<std::vector<v1::ItemResult>> results = cluster_.Results(job.job_id());
  ASSERT_TRUE(results.ok());
  ASSERT_EQ(results->size(), 1000u);
  for (const v1::ItemResult& r : *results) {
    ASSERT_EQ(r.state(), v1::TASK_SUCCEEDED) << r.error().message();
    nlohmann::json out = nlohmann::json::parse(r.result());
    EXPECT_EQ(out["echo"], nlohmann::json::parse(r.item()));
    EXPECT_EQ(out["job_id"], job.job_id());
  }
  // What the handler printed is kept with each attempt; cold starts say how long init took.
  CommandResult logs = cluster_.Cli({"logs", job.job_id(), "--task=5"});
  ASSERT_EQ(logs.exit_code, 0) << logs.err;
  EXPECT_THAT(logs.out, HasSubstr("== task 5 invocation 1"));
  EXPECT_THAT(logs.out, HasSubstr("echo 6"));  // console.log("echo", JSON.stringify(event))
  absl::StatusOr<std::vector<v1::Task>> tasks = cluster_.Tasks(job.job_id());
  ASSERT_TRUE(tasks.ok());
  int cold = 0;
  for (const v1::Task& t : *tasks) cold += t.attempts(0).has_init_duration();
  EXPECT_GE(cold, 1);
  EXPECT_LE(cold, 16);  // warm runtimes served the rest (2 workers x 4 slots, and retries)
  CommandResult thrown = cluster_.Cli({"invoke", "node", R"(--payload={"throw":"bad input"})"});
  EXPECT_EQ(thrown.exit_code, 1);
  nlohmann::json error = nlohmann::json::parse(thrown.out);
  EXPECT_EQ(error["errorType"], "TypeError");
  EXPECT_EQ(error["errorMessage"], "bad input");
  CommandResult missing = cluster_.Cli({"function", "create", "node-missing",
                                        "--code=" + FunctionDir("node"), "--handler=index.nope"});
  ASSERT_EQ(missing.exit_code, 0) << missing.err;
  CommandResult not_found = cluster_.Cli({"invoke", "node-missing"});
  EXPECT_EQ(not_found.exit_code, 1);
  EXPECT_EQ(nlohmann::json::parse(not_found.out)["errorType"], "Runtime.HandlerNotFound");
}

TEST_F(NodeFunctionsTest, ACrashIsRetriedOnAFreshRuntimeAndAMemoryHogIsKilled) {
  // Exits mid-invocation: Runtime.ExitError, retryable; the next attempt would crash too, so it
  // ends dead after its attempts, each on a fresh runtime.
  v1::Job crashed = Run("node", R"([{"exit": 7}])", 2);
  ASSERT_EQ(crashed.state(), v1::JOB_FAILED);
  absl::StatusOr<std::vector<v1::Task>> tasks = cluster_.Tasks(crashed.job_id());
  ASSERT_TRUE(tasks.ok());
  EXPECT_EQ(tasks->at(0).attempts_size(), 2);
  EXPECT_THAT(tasks->at(0).error().message(), HasSubstr("Runtime.ExitError"));
  // 128 MB function, 400 MB of buffers.
  v1::Job hog = Run("node", R"([{"hog_mb": 400}])", 1);
  ASSERT_EQ(hog.state(), v1::JOB_FAILED);
  tasks = cluster_.Tasks(hog.job_id());
  ASSERT_TRUE(tasks.ok());
  if (::geteuid() == 0) {
    EXPECT_THAT(tasks->at(0).error().message(), HasSubstr("Runtime.OutOfMemory"));
  }
  // Everything else still runs.
  EXPECT_EQ(Run("node", R"([{"n": 1}])").state(), v1::JOB_SUCCEEDED);
}

TEST_F(NodeFunctionsTest, ACheckpointingHandlerResumesAcrossTimeLimits) {
  // 60 steps of 100 ms = 6 s of work under a 2 s limit: three or more invocations, each resuming
  // from the last checkpoint (no step done twice beyond the one in flight at the kill).
  v1::Job job = Run("node", R"([{"steps": 60, "step_ms": 100}])", 1);
  ASSERT_EQ(job.state(), v1::JOB_SUCCEEDED);
  absl::StatusOr<std::vector<v1::Task>> tasks = cluster_.Tasks(job.job_id());
  ASSERT_TRUE(tasks.ok());
  EXPECT_GE(tasks->at(0).continuations(), 2u);
  absl::StatusOr<std::vector<v1::ItemResult>> results = cluster_.Results(job.job_id());
  nlohmann::json out = nlohmann::json::parse(results->at(0).result());
  EXPECT_EQ(out["steps"], 60);
  EXPECT_GT(out["resumed_from"].get<int>(), 30);
}

TEST_F(NodeFunctionsTest, ARuntimeEndsWithItsWorker) {
  EXPECT_EQ(Run("node", "range:1-16").state(), v1::JOB_SUCCEEDED);
  EXPECT_GT(ProcessesMentioning("aws-lambda-ric/index.mjs"), 0);  // warm runtimes wait
  cluster_.KillWorker("w1", SIGTERM);
  cluster_.KillWorker("w2", SIGKILL);
  const absl::Time until = absl::Now() + absl::Seconds(10);
  while (ProcessesMentioning("aws-lambda-ric/index.mjs") > 0 && absl::Now() < until) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(ProcessesMentioning("aws-lambda-ric/index.mjs"), 0) << "runtimes outlived workers";
}

// Unsandboxed, a process that left its runtime's group outlives a killed worker until the next
// worker sweeps the cgroups of workers that are gone.
TEST_F(FunctionsTest, WhatAKilledWorkersRuntimeStartedIsEndedByTheNextWorker) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs cgroups (root)";
  cluster_.KillWorker("w1", SIGKILL);
  cluster_.KillWorker("w2", SIGKILL);
  ASSERT_TRUE(
      cluster_
          .StartWorker("u1", 1, {"--sandbox=off", absl::StrCat("--cache_dir=", TestTmp(), "/cu")})
          .ok());
  ASSERT_NO_FATAL_FAILURE(RunSleeper(absl::StrCat(TestTmp(), "/fn-sleeper")));
  cluster_.KillWorker("u1", SIGKILL);
  absl::SleepFor(absl::Milliseconds(300));
  // The bootstrap died with its worker; what it started did not: nobody is left to kill it ...
  EXPECT_EQ(ProcessesMentioning(kSleeper), 1);
  // ... until a worker starts on this machine and sweeps the groups of workers that are gone.
  ASSERT_TRUE(cluster_.StartWorker("w3", 1, {absl::StrCat("--cache_dir=", TestTmp(), "/c3")}).ok());
  const absl::Time swept = absl::Now() + absl::Seconds(10);
  while (ProcessesMentioning(kSleeper) > 0 && absl::Now() < swept) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_EQ(ProcessesMentioning(kSleeper), 0);
}

// Sandboxed (as root the workers are), everything a runtime started dies with its worker at once:
// the sandbox's PID namespace ends with it.
TEST_F(FunctionsTest, ASandboxedRuntimesProcessesDieWithItsWorker) {
  if (::geteuid() != 0) GTEST_SKIP() << "the sandbox needs root";
  ASSERT_NO_FATAL_FAILURE(RunSleeper(absl::StrCat(TestTmp(), "/fn-sleeper-sandboxed")));
  cluster_.KillWorker("w1", SIGKILL);
  cluster_.KillWorker("w2", SIGKILL);
  const absl::Time gone = absl::Now() + absl::Seconds(5);
  while (ProcessesMentioning(kSleeper) > 0 && absl::Now() < gone) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_EQ(ProcessesMentioning(kSleeper), 0);
}

}  // namespace
}  // namespace fanout::testing
