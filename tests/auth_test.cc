// Who may do what, against a real coordinator with --auth=required: every RPC of every service
// (the table must name each one the protos declare) is called with no token, a revoked token and
// a token of each role; each role can do exactly its list. The HTTP routes (dashboard, JSON API,
// /metrics) likewise. A forged report with a guessed epoch is refused over the wire too, and the
// CLI's token commands make tokens that work.
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "common/coordinator_channel.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/generic/generic_stub.h"
#include "gtest/gtest.h"
#include "proto/auth_service.grpc.pb.h"
#include "proto/function_service.grpc.pb.h"
#include "proto/job_service.grpc.pb.h"
#include "proto/worker_service.grpc.pb.h"
#include "tests/free_port.h"
#include "tests/http_client.h"
#include "tests/test_cluster.h"

namespace fanout::testing {
namespace {

using ::testing::HasSubstr;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::string text;
  std::getline(in, text);
  return text;
}

// Each call and the roles that may make it (admin may make every call).
struct Row {
  std::string method;  // "/fanout.v1.JobService/GetJob"
  std::set<std::string> roles;
  std::string request;  // serialized; empty: an empty request
};

// A trigger's submission: an event's idempotency key, or (batched) item keys.
std::string KeyedSubmit(bool item_keys) {
  v1::SubmitJobRequest request;
  request.mutable_spec()->set_function("builtin:noop");
  request.mutable_spec()->set_source(R"(["a"])");
  if (item_keys) {
    request.mutable_spec()->add_item_keys("event-1");
  } else {
    request.mutable_spec()->set_idempotency_key("event-2");
  }
  return request.SerializeAsString();
}

// Many jobs in one call: every spec keyed, or one of them not.
std::string SubmitMany(bool all_keyed) {
  v1::SubmitJobsRequest request;
  for (int i = 0; i < 3; ++i) {
    v1::JobSpec* spec = request.add_specs();
    spec->set_function("builtin:noop");
    spec->set_source(R"(["a"])");
    if (all_keyed || i != 1) spec->set_idempotency_key(absl::StrCat("many-", i));
  }
  return request.SerializeAsString();
}

std::vector<Row> Table() {
  const std::set<std::string> read = {"admin", "submit", "read"};
  const std::set<std::string> submit = {"admin", "submit"};
  const std::set<std::string> work = {"admin", "worker"};
  const std::set<std::string> admin = {"admin"};
  const std::string jobs = "/fanout.v1.JobService/", workers = "/fanout.v1.WorkerService/",
                    functions = "/fanout.v1.FunctionService/", auth = "/fanout.v1.AuthService/";
  return {
      {jobs + "SubmitJob", submit, ""},
      {jobs + "SubmitJob", {"admin", "submit", "trigger"}, KeyedSubmit(true)},
      {jobs + "SubmitJob", {"admin", "submit", "trigger"}, KeyedSubmit(false)},
      {jobs + "SubmitJobs", submit, ""},
      {jobs + "SubmitJobs", {"admin", "submit", "trigger"}, SubmitMany(true)},
      {jobs + "SubmitJobs", submit, SubmitMany(false)},
      {jobs + "GetJob", read, ""},
      {jobs + "ListJobs", read, ""},
      {jobs + "WatchJob", read, ""},
      {jobs + "CancelJob", submit, ""},
      {jobs + "ListTasks", read, ""},
      {jobs + "GetResults", read, ""},
      {jobs + "ListWorkers", read, ""},
      {jobs + "RedriveJob", submit, ""},
      {jobs + "UpdateJob", submit, ""},
      {workers + "LeaseTasks", work, ""},
      {workers + "RenewLeases", work, ""},
      {workers + "ReportResults", work, ""},
      {workers + "Checkpoint", work, ""},
      {functions + "UploadCode", admin, ""},
      {functions + "CreateFunction", admin, ""},
      {functions + "GetFunction", {"admin", "submit", "read", "worker"}, ""},
      {functions + "ListFunctions", read, ""},
      {functions + "DeleteFunction", admin, ""},
      {functions + "FetchCode", work, ""},
      {auth + "CreateToken", admin, ""},
      {auth + "ListTokens", admin, ""},
      {auth + "RevokeToken", admin, ""},
  };
}

class AuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    http_port_ = FreePortBelowEphemeral();
    ASSERT_TRUE(cluster_
                    .StartCoordinator(
                        {"--auth=required", absl::StrCat("--http_listen=127.0.0.1:", http_port_)})
                    .ok());
    admin_ = ReadAll(cluster_.data_dir() + "/admin.token");
    ASSERT_THAT(admin_, HasSubstr("fanout_"));
    tokens_["admin"] = admin_;
    auto stub = v1::AuthService::NewStub(Dial(admin_));
    for (const char* role : {"submit", "read", "worker", "trigger"}) {
      tokens_[role] = Create(*stub, role);
    }
    const std::string revoked = Create(*stub, "admin");
    grpc::ClientContext context;
    v1::RevokeTokenRequest revoke;
    revoke.set_id(revoked.substr(7, revoked.find('_', 7) - 7));
    v1::TokenInfo info;
    ASSERT_TRUE(stub->RevokeToken(&context, revoke, &info).ok());
    tokens_["revoked"] = revoked;
    tokens_["none"] = "";
  }

  std::shared_ptr<grpc::Channel> Dial(const std::string& token) {
    ClientSecurity security;
    security.token = token;
    return DialCoordinator(cluster_.address(), security);
  }

  std::string Create(v1::AuthService::Stub& stub, const std::string& role) {
    grpc::ClientContext context;
    v1::CreateTokenRequest request;
    request.set_role(role == "admin"    ? v1::ROLE_ADMIN
                     : role == "submit" ? v1::ROLE_SUBMIT
                     : role == "read"   ? v1::ROLE_READ
                     : role == "worker" ? v1::ROLE_WORKER
                                        : v1::ROLE_TRIGGER);
    request.set_name(role + " in a test");
    v1::CreateTokenResponse response;
    EXPECT_TRUE(stub.CreateToken(&context, request, &response).ok());
    return response.token();
  }

  // One call of `method` with `token`, whatever it is; its status.
  grpc::Status Call(const std::string& token, const Row& row) {
    grpc::GenericStub stub(Dial(token));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    grpc::Slice slice(row.request);
    grpc::ByteBuffer request(&slice, 1), response;
    grpc::Status status;
    absl::Notification done;
    stub.UnaryCall(&context, row.method, grpc::StubOptions(), &request, &response,
                   [&](grpc::Status s) {
                     status = std::move(s);
                     done.Notify();
                   });
    done.WaitForNotification();
    return status;
  }

  TestCluster cluster_{"auth"};
  int http_port_ = 0;
  std::string admin_;
  std::map<std::string, std::string> tokens_;
};

TEST_F(AuthTest, TheTableNamesEveryCallOfEveryService) {
  std::set<std::string> declared, covered;
  for (const char* service : {"fanout.v1.JobService", "fanout.v1.WorkerService",
                              "fanout.v1.FunctionService", "fanout.v1.AuthService"}) {
    const google::protobuf::ServiceDescriptor* d =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(service);
    ASSERT_NE(d, nullptr) << service;
    for (int i = 0; i < d->method_count(); ++i) {
      declared.insert(absl::StrCat("/", service, "/", d->method(i)->name()));
    }
  }
  for (const Row& row : Table()) covered.insert(row.method);
  EXPECT_EQ(declared, covered);
}

TEST_F(AuthTest, EachRoleCanDoExactlyItsListAndNoTokenNothing) {
  for (const Row& row : Table()) {
    for (const auto& [who, token] : tokens_) {
      const grpc::Status status = Call(token, row);
      const bool refused = status.error_code() == grpc::StatusCode::UNAUTHENTICATED ||
                           status.error_code() == grpc::StatusCode::PERMISSION_DENIED;
      EXPECT_EQ(refused, row.roles.count(who) == 0)
          << who << " calling " << row.method << (row.request.empty() ? "" : " (keyed)") << ": "
          << status.error_code() << " " << status.error_message();
      if (who == "none" || who == "revoked") {
        EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << row.method;
      } else if (refused) {
        EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << row.method;
        EXPECT_THAT(status.error_message(), HasSubstr("needs role ")) << row.method;
      }
    }
  }
}

TEST_F(AuthTest, HttpRoutesNeedAReadToken) {
  for (const std::string path : {"/", "/api/jobs", "/metrics"}) {
    absl::StatusOr<s3::HttpResponse> none = HttpGet(http_port_, path);
    ASSERT_TRUE(none.ok());
    EXPECT_EQ(none->status, 401) << path;
    for (const auto& [who, token] : tokens_) {
      if (who == "none") continue;
      s3::HttpRequest request;
      request.method = "GET";
      request.url = absl::StrCat("http://127.0.0.1:", http_port_, path);
      request.headers = {{"authorization", "Bearer " + token}};
      absl::StatusOr<s3::HttpResponse> got = s3::Send(request);
      ASSERT_TRUE(got.ok());
      const bool may = who == "admin" || who == "submit" || who == "read";
      EXPECT_EQ(got->status, may ? 200 : (who == "revoked" ? 401 : 403)) << who << " " << path;
    }
  }
  s3::HttpRequest browser;
  browser.method = "GET";
  browser.url = absl::StrCat("http://127.0.0.1:", http_port_, "/api/jobs");
  browser.headers = {{"cookie", "theme=dark; fanout_token=" + tokens_["read"]}};
  EXPECT_EQ(s3::Send(browser)->status, 200);
  EXPECT_THAT(HttpGet(http_port_, "/")->body, HasSubstr("fanout token create --role=read"));
}

// A worker holds a lease; another caller with a worker token guesses the job, task and epoch.
TEST_F(AuthTest, AForgedReportWithAGuessedEpochIsRefusedOverTheWire) {
  auto jobs = v1::JobService::NewStub(Dial(tokens_["submit"]));
  v1::SubmitJobRequest submit;
  submit.mutable_spec()->set_function("builtin:noop");
  submit.mutable_spec()->set_source("range:1-1");
  v1::SubmitJobResponse submitted;
  grpc::ClientContext c1;
  ASSERT_TRUE(jobs->SubmitJob(&c1, submit, &submitted).ok());
  auto worker = v1::WorkerService::NewStub(Dial(tokens_["worker"]));
  v1::LeaseTasksRequest lease;
  lease.mutable_worker()->set_worker_id("honest");
  lease.set_max_tasks(1);
  v1::LeaseTasksResponse leased;
  grpc::ClientContext c2;
  ASSERT_TRUE(worker->LeaseTasks(&c2, lease, &leased).ok());
  ASSERT_EQ(leased.tasks_size(), 1);
  for (const std::string who : {"honest", "mallory"}) {
    v1::ReportResultsRequest forged;
    forged.mutable_worker()->set_worker_id(who);
    v1::TaskOutcome* outcome = forged.add_outcomes();
    outcome->mutable_ref()->set_job_id(submitted.job().job_id());
    outcome->mutable_ref()->set_index(0);
    outcome->mutable_ref()->set_epoch(leased.tasks(0).ref().epoch());  // guessed right
    outcome->mutable_results()->add_results("\"forged\"");
    v1::ReportResultsResponse answer;
    grpc::ClientContext c3;
    ASSERT_TRUE(worker->ReportResults(&c3, forged, &answer).ok());
    EXPECT_EQ(answer.statuses(0), v1::REPORT_STALE) << who;
  }
  v1::ReportResultsRequest honest;
  honest.mutable_worker()->set_worker_id("honest");
  v1::TaskOutcome* outcome = honest.add_outcomes();
  *outcome->mutable_ref() = leased.tasks(0).ref();
  outcome->mutable_results()->add_results("\"1\"");
  v1::ReportResultsResponse answer;
  grpc::ClientContext c4;
  ASSERT_TRUE(worker->ReportResults(&c4, honest, &answer).ok());
  EXPECT_EQ(answer.statuses(0), v1::REPORT_ACCEPTED);
}

TEST_F(AuthTest, TheCliMakesTokensAndSaysWhichRoleACallNeeds) {
  CommandResult made = RunCommand(
      Runfile("cli/fanout"),
      {"token", "create", "--role=read", "--name=ci", "--coordinator=" + cluster_.address()},
      absl::Seconds(30), {"FANOUT_TOKEN=" + admin_});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const std::string token(absl::StripAsciiWhitespace(made.out));
  EXPECT_THAT(token, HasSubstr("fanout_"));
  CommandResult listed =
      RunCommand(Runfile("cli/fanout"), {"list", "--coordinator=" + cluster_.address()},
                 absl::Seconds(30), {"FANOUT_TOKEN=" + token});
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  CommandResult denied = RunCommand(Runfile("cli/fanout"),
                                    {"submit", "--function=builtin:noop", "--source=range:1-2",
                                     "--coordinator=" + cluster_.address()},
                                    absl::Seconds(30), {"FANOUT_TOKEN=" + token});
  EXPECT_EQ(denied.exit_code, 4);
  EXPECT_THAT(denied.err, HasSubstr("SubmitJob needs role submit or admin"));
  CommandResult anonymous =
      RunCommand(Runfile("cli/fanout"), {"list", "--coordinator=" + cluster_.address()},
                 absl::Seconds(30), {});
  EXPECT_EQ(anonymous.exit_code, 4);
  EXPECT_THAT(anonymous.err, HasSubstr("requires a token"));
  // Admin actions are on record, by token id, without secrets.
  std::ifstream audit(cluster_.data_dir() + "/audit.log");
  std::string log((std::istreambuf_iterator<char>(audit)), std::istreambuf_iterator<char>());
  EXPECT_THAT(log, HasSubstr("\"action\":\"token.create\""));
  EXPECT_THAT(log, HasSubstr("\"token_role\":\"read\""));  // the new token's, not the caller's
  EXPECT_THAT(log, HasSubstr("\"action\":\"token.revoke\""));
  EXPECT_EQ(log.find(token.substr(token.rfind('_') + 1)), std::string::npos);
  EXPECT_EQ(log.find(admin_.substr(admin_.rfind('_') + 1)), std::string::npos);
}

TEST_F(AuthTest, WorkersWithAWorkerTokenRunJobs) {
  const std::string file = TestDir("worker.token");
  std::ofstream(file) << tokens_["worker"] << "\n";
  ASSERT_TRUE(cluster_.StartWorker("w", 2, {"--token_file=" + file}).ok());
  auto jobs = v1::JobService::NewStub(Dial(tokens_["submit"]));
  v1::SubmitJobRequest submit;
  submit.mutable_spec()->set_function("builtin:noop");
  submit.mutable_spec()->set_source("range:1-20");
  v1::SubmitJobResponse submitted;
  grpc::ClientContext context;
  ASSERT_TRUE(jobs->SubmitJob(&context, submit, &submitted).ok());
  for (int i = 0; i < 100; ++i) {
    grpc::ClientContext c;
    v1::GetJobRequest get;
    get.set_job_id(submitted.job().job_id());
    v1::Job job;
    ASSERT_TRUE(jobs->GetJob(&c, get, &job).ok());
    if (job.state() == v1::JOB_SUCCEEDED) return;
    absl::SleepFor(absl::Milliseconds(100));
  }
  ADD_FAILURE() << "the job did not succeed with an authenticated worker";
}

}  // namespace
}  // namespace fanout::testing
