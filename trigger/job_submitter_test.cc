// The submitter against a real gRPC JobService that answers each status code: what may pass is
// UNAVAILABLE (the event is kept for later), a refusal of the request itself is INVALID_ARGUMENT
// (the event is dropped with a logged reason), never the other way round.
#include "trigger/job_submitter.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/limits.h"
#include "gtest/gtest.h"

namespace fanout::trigger {
namespace {

class ScriptedJobService final : public v1::JobService::Service {
 public:
  grpc::Status SubmitJob(grpc::ServerContext*, const v1::SubmitJobRequest*,
                         v1::SubmitJobResponse* response) override {
    absl::MutexLock lock(&mu_);
    if (answer_.ok()) {
      response->mutable_job()->set_job_id("job-7");
      response->set_created(true);
    }
    return answer_;
  }
  // Answers SubmitJobs only when `batches` is on (else UNIMPLEMENTED, as an older coordinator):
  // job "job-N" for a spec whose source is N, an error for one whose source names a code.
  grpc::Status SubmitJobs(grpc::ServerContext*, const v1::SubmitJobsRequest* request,
                          v1::SubmitJobsResponse* response) override {
    absl::MutexLock lock(&mu_);
    if (!batches_) return grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "unknown method");
    ++batch_calls_;
    largest_request_ = std::max(largest_request_, request->ByteSizeLong());
    if (!answer_.ok()) return answer_;
    for (const v1::JobSpec& spec : request->specs()) {
      v1::SubmitJobsResult* result = response->add_results();
      if (spec.source() == "unavailable") {
        result->set_error_code(static_cast<int>(absl::StatusCode::kUnavailable));
      } else if (spec.source() == "invalid") {
        result->set_error_code(static_cast<int>(absl::StatusCode::kInvalidArgument));
        result->set_error("source: never");
      } else if (spec.source() == "template changed") {
        result->set_error_code(static_cast<int>(absl::StatusCode::kFailedPrecondition));
        result->set_error("idempotency_key: 'k' already created job-3 with a different spec");
      } else {
        result->set_job_id("job-" + spec.source());
        result->set_created(true);
      }
    }
    return grpc::Status::OK;
  }
  void set_batches(bool on) {
    absl::MutexLock lock(&mu_);
    batches_ = on;
  }
  int batch_calls() {
    absl::MutexLock lock(&mu_);
    return batch_calls_;
  }
  size_t largest_request() {
    absl::MutexLock lock(&mu_);
    return largest_request_;
  }
  void Answer(grpc::Status status) {
    absl::MutexLock lock(&mu_);
    answer_ = std::move(status);
  }

 private:
  absl::Mutex mu_;
  grpc::Status answer_ ABSL_GUARDED_BY(mu_);
  bool batches_ ABSL_GUARDED_BY(mu_) = false;
  int batch_calls_ ABSL_GUARDED_BY(mu_) = 0;
  size_t largest_request_ ABSL_GUARDED_BY(mu_) = 0;
};

std::unique_ptr<grpc::Server> Serve(ScriptedJobService& service, int* port) {
  grpc::ServerBuilder builder;
  builder.SetMaxReceiveMessageSize(static_cast<int>(kMaxMessageBytes));  // the coordinator's
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), port);
  builder.RegisterService(&service);
  return builder.BuildAndStart();
}

std::vector<v1::JobSpec> Specs(std::vector<std::string> sources) {
  std::vector<v1::JobSpec> specs;
  for (std::string& source : sources) {
    specs.emplace_back().set_function("builtin:noop");
    specs.back().set_source(std::move(source));
  }
  return specs;
}

TEST(JobSubmitterTest, WhatMayPassIsKeptForLaterAndRefusalsAreNotRedeliveredForever) {
  ScriptedJobService service;
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(port, 0);
  GrpcJobSubmitter submitter(absl::StrCat("127.0.0.1:", port));
  v1::JobSpec spec;
  spec.set_function("builtin:noop");

  ASSERT_TRUE(submitter.Submit(spec).ok());
  using grpc::StatusCode;
  for (StatusCode later :
       {StatusCode::UNAVAILABLE, StatusCode::DEADLINE_EXCEEDED, StatusCode::ABORTED,
        StatusCode::UNAUTHENTICATED, StatusCode::PERMISSION_DENIED}) {
    service.Answer(grpc::Status(later, "not now"));
    EXPECT_EQ(submitter.Submit(spec).status().code(), absl::StatusCode::kUnavailable) << later;
  }
  for (StatusCode refused :
       {StatusCode::INVALID_ARGUMENT, StatusCode::NOT_FOUND, StatusCode::RESOURCE_EXHAUSTED,
        StatusCode::INTERNAL, StatusCode::OUT_OF_RANGE}) {
    service.Answer(grpc::Status(refused, "never"));
    absl::StatusOr<Submitted> submitted = submitter.Submit(spec);
    EXPECT_EQ(submitted.status().code(), absl::StatusCode::kInvalidArgument) << refused;
    EXPECT_EQ(submitted.status().message(), "never");
  }
  // The key made a job from an older template: this delivery is a duplicate, not an error.
  service.Answer(grpc::Status(StatusCode::FAILED_PRECONDITION,
                              "idempotency_key: already created job-3 from another spec"));
  absl::StatusOr<Submitted> duplicate = submitter.Submit(spec);
  ASSERT_TRUE(duplicate.ok()) << duplicate.status();
  EXPECT_FALSE(duplicate->created);
  server->Shutdown();
}

TEST(JobSubmitterTest, SubmitAllIsOneCallJudgedPerSpec) {
  ScriptedJobService service;
  service.set_batches(true);
  int port = 0;
  std::unique_ptr<grpc::Server> server = Serve(service, &port);
  GrpcJobSubmitter submitter(absl::StrCat("127.0.0.1:", port));
  std::vector<absl::StatusOr<Submitted>> answers =
      submitter.SubmitAll(Specs({"1", "invalid", "template changed", "unavailable", "5"}));
  ASSERT_EQ(answers.size(), 5u);
  EXPECT_EQ(service.batch_calls(), 1);
  ASSERT_TRUE(answers[0].ok() && answers[4].ok());
  EXPECT_EQ(answers[0]->job_id, "job-1");
  EXPECT_EQ(answers[4]->job_id, "job-5");
  EXPECT_EQ(answers[1].status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(answers[1].status().message(), "source: never");
  ASSERT_TRUE(answers[2].ok()) << "a changed template's key: a duplicate";
  EXPECT_FALSE(answers[2]->created);
  EXPECT_EQ(answers[3].status().code(), absl::StatusCode::kUnavailable);
  // Past kMaxSubmitBatch specs: more calls, one answer per spec still.
  std::vector<v1::JobSpec> many = Specs(std::vector<std::string>(2500, "7"));
  EXPECT_EQ(submitter.SubmitAll(many).size(), 2500u);
  EXPECT_EQ(service.batch_calls(), 4);
  server->Shutdown();
}

TEST(JobSubmitterTest, SubmitAllCutsCallsBySizeAndStopsWhenTheCoordinatorIsAway) {
  ScriptedJobService service;
  service.set_batches(true);
  int port = 0;
  std::unique_ptr<grpc::Server> server = Serve(service, &port);
  GrpcJobSubmitter submitter(absl::StrCat("127.0.0.1:", port));
  // 40 events of 1 MiB each: calls of at most 16 MiB, not one of 40.
  std::vector<v1::JobSpec> big = Specs(std::vector<std::string>(40, std::string(1 << 20, 'x')));
  std::vector<absl::StatusOr<Submitted>> answers = submitter.SubmitAll(big);
  ASSERT_EQ(answers.size(), 40u);
  for (const auto& answer : answers) EXPECT_TRUE(answer.ok()) << answer.status();
  EXPECT_GE(service.batch_calls(), 3);
  EXPECT_LE(service.largest_request(), kBatchBytes + 4096);
  // Away: one call finds out, the rest are answered without trying.
  const int calls = service.batch_calls();
  service.Answer(grpc::Status(grpc::StatusCode::UNAVAILABLE, "down"));
  answers = submitter.SubmitAll(Specs(std::vector<std::string>(2500, "7")));
  ASSERT_EQ(answers.size(), 2500u);
  for (const auto& answer : answers) EXPECT_TRUE(absl::IsUnavailable(answer.status()));
  EXPECT_EQ(service.batch_calls(), calls + 1);
  server->Shutdown();
}

TEST(JobSubmitterTest, SubmitAllToACoordinatorWithoutSubmitJobsSubmitsEachAlone) {
  ScriptedJobService service;  // answers SubmitJobs UNIMPLEMENTED
  int port = 0;
  std::unique_ptr<grpc::Server> server = Serve(service, &port);
  GrpcJobSubmitter submitter(absl::StrCat("127.0.0.1:", port));
  std::vector<absl::StatusOr<Submitted>> answers = submitter.SubmitAll(Specs({"1", "2"}));
  ASSERT_EQ(answers.size(), 2u);
  for (const auto& answer : answers) {
    ASSERT_TRUE(answer.ok()) << answer.status();
    EXPECT_EQ(answer->job_id, "job-7");
  }
  server->Shutdown();
}

}  // namespace
}  // namespace fanout::trigger
