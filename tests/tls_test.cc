// TLS and mTLS end to end, with certificates made by `openssl` in the test: a CA, a server
// certificate for 127.0.0.1 and a worker's client certificate. A job runs over TLS (a worker with
// its client certificate, the CLI with --tls_ca); a worker call without a client certificate is
// refused, and a plaintext client cannot talk to a TLS coordinator at all.
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "common/coordinator_channel.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "proto/auth_service.grpc.pb.h"
#include "proto/function_service.grpc.pb.h"
#include "proto/job_service.grpc.pb.h"
#include "proto/worker_service.grpc.pb.h"
#include "tests/test_cluster.h"
#include "tests/trigger_process.h"
#include "trigger/webhook_auth.h"

namespace fanout::testing {
namespace {

using ::testing::HasSubstr;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(TestDir("pki"));
    std::filesystem::create_directories(*dir_);
    std::ofstream(*dir_ + "/server.ext") << "subjectAltName=IP:127.0.0.1\n";
    const std::string d = *dir_ + "/";
    Openssl({"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", d + "ca.key", "-out",
             d + "ca.pem", "-days", "1", "-subj", "/CN=fanout test CA"});
    for (const std::string name : {"server", "worker"}) {
      Openssl({"req", "-newkey", "rsa:2048", "-nodes", "-keyout", d + name + ".key", "-out",
               d + name + ".csr", "-subj", "/CN=" + name});
      std::vector<std::string> sign = {
          "x509",           "-req",       "-in",  d + name + ".csr", "-CA",   d + "ca.pem",
          "-CAkey",         d + "ca.key", "-out", d + name + ".pem", "-days", "1",
          "-CAcreateserial"};
      if (name == "server") sign.insert(sign.end(), {"-extfile", d + "server.ext"});
      Openssl(sign);
    }
  }
  static void Openssl(const std::vector<std::string>& args) {
    CommandResult r = RunCommand("/usr/bin/openssl", args, absl::Seconds(60));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static std::string Pki(const std::string& file) { return *dir_ + "/" + file; }

  void SetUp() override {
    ASSERT_TRUE(cluster_
                    .StartCoordinator({"--auth=required", "--tls_cert=" + Pki("server.pem"),
                                       "--tls_key=" + Pki("server.key"),
                                       "--tls_client_ca=" + Pki("ca.pem")})
                    .ok());
    admin_ = ReadAll(cluster_.data_dir() + "/admin.token");
    admin_.pop_back();  // the newline
  }

  ClientSecurity Tls(bool client_cert) {
    ClientSecurity security;
    security.token = admin_;
    security.tls = true;
    security.ca_pem = ReadAll(Pki("ca.pem"));
    if (client_cert) {
      security.cert_pem = ReadAll(Pki("worker.pem"));
      security.key_pem = ReadAll(Pki("worker.key"));
    }
    return security;
  }

  static std::string* dir_;
  TestCluster cluster_{"tls"};
  std::string admin_;
};
std::string* TlsTest::dir_ = nullptr;

TEST_F(TlsTest, AJobRunsOverTlsWithAnMtlsWorker) {
  const std::string token_file = TestDir("admin.token");
  std::ofstream(token_file) << admin_;
  ASSERT_TRUE(
      cluster_
          .StartWorker("w", 2,
                       {"--tls_ca=" + Pki("ca.pem"), "--tls_client_cert=" + Pki("worker.pem"),
                        "--tls_client_key=" + Pki("worker.key"), "--token_file=" + token_file})
          .ok());
  CommandResult r = RunCommand(Runfile("cli/fanout"),
                               {"submit", "--function=builtin:noop", "--source=range:1-50",
                                "--wait", "--coordinator=" + cluster_.address(),
                                "--tls_ca=" + Pki("ca.pem"), "--token_file=" + token_file},
                               absl::Seconds(60));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST_F(TlsTest, WorkerCallsWithoutAClientCertificateAreRefused) {
  for (bool client_cert : {false, true}) {
    auto stub = v1::WorkerService::NewStub(DialCoordinator(cluster_.address(), Tls(client_cert)));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::LeaseTasksRequest request;
    request.mutable_worker()->set_worker_id("w");
    v1::LeaseTasksResponse response;
    grpc::Status status = stub->LeaseTasks(&context, request, &response);
    if (client_cert) {
      EXPECT_TRUE(status.ok()) << status.error_message();
    } else {
      EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
      EXPECT_THAT(status.error_message(), HasSubstr("client certificate"));
    }
  }
}

TEST_F(TlsTest, APlaintextClientGetsNothing) {
  ClientSecurity plain;
  plain.token = admin_;
  auto stub = v1::WorkerService::NewStub(DialCoordinator(cluster_.address(), plain));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
  v1::LeaseTasksRequest request;
  request.mutable_worker()->set_worker_id("w");
  v1::LeaseTasksResponse response;
  EXPECT_FALSE(stub->LeaseTasks(&context, request, &response).ok());
}

// A signed S3 event posted over HTTPS to a trigger that submits over TLS with a trigger token
// becomes a job; the dashboard's API answers over HTTPS with the coordinator's certificate.
TEST_F(TlsTest, ASignedWebhookEventOverHttpsBecomesAJob) {
  auto auth = v1::AuthService::NewStub(DialCoordinator(cluster_.address(), Tls(false)));
  grpc::ClientContext context;
  v1::CreateTokenRequest create;
  create.set_role(v1::ROLE_TRIGGER);
  v1::CreateTokenResponse trigger_token;
  ASSERT_TRUE(auth->CreateToken(&context, create, &trigger_token).ok());
  const std::string token_file = TestDir("trigger.token"), config = TestDir("rules.json");
  std::ofstream(token_file) << trigger_token.token();
  const std::string secret = "a-webhook-secret-of-some-length";
  std::ofstream(config) << nlohmann::json{{"rules",
                                           {{{"name", "signed"},
                                             {"source", {{"type", "webhook"}}},
                                             {"auth", {{"type", "hmac"}, {"secret", secret}}},
                                             {"job", {{"function", "builtin:noop"}}}}}}}
                               .dump();
  TriggerProcess trigger("tls-trigger", config, cluster_.address(), {},
                         {"--tls_ca=" + Pki("ca.pem"), "--token_file=" + token_file,
                          "--tls_cert=" + Pki("server.pem"), "--tls_key=" + Pki("server.key")});
  ASSERT_TRUE(trigger.Start().ok());
  const std::string body =
      nlohmann::json{
          {"Records",
           {{{"eventSource", "ceph:s3"},
             {"eventName", "ObjectCreated:Put"},
             {"s3",
              {{"bucket", {{"name", "uploads"}}}, {"object", {{"key", "a.txt"}, {"size", 1}}}}}}}}}
          .dump();
  const std::string url = absl::StrCat("https://127.0.0.1:", trigger.port(), "/");
  auto post = [&](const std::string& signature) {
    return RunCommand("/usr/bin/curl",
                      {"-sS", "--cacert", Pki("ca.pem"), "-o", "/dev/null", "-w", "%{http_code}",
                       "-H", "content-type: application/json", "-H",
                       "X-Fanout-Signature: " + signature, "--data-binary", body, url},
                      absl::Seconds(30));
  };
  EXPECT_EQ(post("sha256=" + std::string(64, '0')).out, "401");
  CommandResult accepted = post(trigger::WebhookSignature(secret, body));
  EXPECT_EQ(accepted.out, "200") << accepted.err;
  v1::ListJobsResponse jobs;
  auto job_stub = v1::JobService::NewStub(DialCoordinator(cluster_.address(), Tls(false)));
  grpc::ClientContext list;
  ASSERT_TRUE(job_stub->ListJobs(&list, v1::ListJobsRequest(), &jobs).ok());
  EXPECT_EQ(jobs.jobs_size(), 1) << "one job for the signed post, none for the forged";
}

// A function's secret values go to worker calls only, certificate included: a stolen worker
// token without the client certificate gets none.
TEST_F(TlsTest, SecretsNeedTheWorkersClientCertificateToo) {
  for (bool client_cert : {false, true}) {
    auto functions =
        v1::FunctionService::NewStub(DialCoordinator(cluster_.address(), Tls(client_cert)));
    grpc::ClientContext context;
    v1::GetFunctionRequest request;
    request.set_name("none-yet");
    request.set_with_secrets(true);
    v1::FunctionVersion version;
    const grpc::Status status = functions->GetFunction(&context, request, &version);
    if (client_cert) {
      EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << status.error_message();
    } else {
      EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
      EXPECT_THAT(status.error_message(), HasSubstr("client certificate"));
    }
  }
}

}  // namespace
}  // namespace fanout::testing
