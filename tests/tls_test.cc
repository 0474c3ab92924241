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
#include "proto/worker_service.grpc.pb.h"
#include "tests/test_cluster.h"

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

}  // namespace
}  // namespace fanout::testing
