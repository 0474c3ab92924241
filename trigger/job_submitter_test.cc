// The submitter against a real gRPC JobService that answers each status code: what may pass is
// UNAVAILABLE (the event is kept for later), a refusal of the request itself is INVALID_ARGUMENT
// (the event is dropped with a logged reason), never the other way round.
#include "trigger/job_submitter.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
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
  void Answer(grpc::Status status) {
    absl::MutexLock lock(&mu_);
    answer_ = std::move(status);
  }

 private:
  absl::Mutex mu_;
  grpc::Status answer_ ABSL_GUARDED_BY(mu_);
};

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

}  // namespace
}  // namespace fanout::trigger
