#include "coordinator/job_manager.h"

#include <map>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "common/proto_time.h"
#include "coordinator/job_manager_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fanout::coordinator {
namespace {

using ::testing::HasSubstr;

TEST_F(JobManagerTest, UnknownFunctionIsRefusedNamingTheField) {
  v1::JobSpec spec = Spec();
  spec.set_function("builtin:teleport");
  absl::StatusOr<SubmitOutcome> out = manager_.SubmitJob(spec);
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(out.status().message(), HasSubstr("function:"));
}

TEST_F(JobManagerTest, ABuiltinsParametersAreCheckedAtSubmit) {
  v1::JobSpec spec = Spec();
  spec.set_function("builtin:s3-copy");
  absl::StatusOr<SubmitOutcome> out = manager_.SubmitJob(spec);
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(out.status().message(), HasSubstr("params.dest: builtin:s3-copy needs it"));
  spec.set_params_json(R"({"dest": "s3://backup/"})");
  EXPECT_TRUE(manager_.SubmitJob(spec).ok());
}

TEST_F(JobManagerTest, MalformedSourceIsRefusedNamingTheField) {
  absl::StatusOr<SubmitOutcome> out = manager_.SubmitJob(Spec("range:ten-twenty"));
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(out.status().message(), HasSubstr("source:"));
  EXPECT_TRUE(store_.ListJobs(0, 10).empty());
}

TEST_F(JobManagerTest, ParamsMustBeAJsonObject) {
  v1::JobSpec spec = Spec();
  spec.set_params_json("[1]");
  EXPECT_THAT(manager_.SubmitJob(spec).status().message(), HasSubstr("params_json:"));
  spec.set_params_json("{\"ms\":");
  EXPECT_THAT(manager_.SubmitJob(spec).status().message(), HasSubstr("params_json:"));
}

TEST_F(JobManagerTest, BadResultsAndReduceAreRefusedNamingTheField) {
  v1::JobSpec spec = Spec();
  spec.set_results("jsonl:relative.jsonl");
  EXPECT_THAT(manager_.SubmitJob(spec).status().message(), HasSubstr("results: "));
  spec = Spec();
  spec.set_reduce("builtin:sum");
  EXPECT_THAT(manager_.SubmitJob(spec).status().message(), HasSubstr("reduce: needs results="));
  spec.set_results("s3://bucket/out");
  spec.set_reduce("builtin:nope");
  EXPECT_THAT(manager_.SubmitJob(spec).status().message(), HasSubstr("reduce: "));
}

TEST_F(JobManagerTest, ItemKeysNeedOneKeyPerInlineItem) {
  v1::JobSpec spec = Spec();
  spec.set_source(R"(["a","b"])");
  spec.add_item_keys("k-a");
  EXPECT_THAT(manager_.SubmitJob(spec).status().message(),
              HasSubstr("item_keys: needs an inline JSON list source with one key per item (1 "
                        "keys, 2 items)"));
  spec.add_item_keys("");
  EXPECT_THAT(manager_.SubmitJob(spec).status().message(), HasSubstr("item_keys[1]: empty"));
  spec.set_item_keys(1, "Z\xFCrich");
  EXPECT_THAT(manager_.SubmitJob(spec).status().message(),
              HasSubstr("item_keys[1]: not valid UTF-8 (byte 0xFC"));
  spec.set_item_keys(1, std::string(5000, 'k'));
  EXPECT_THAT(manager_.SubmitJob(spec).status().message(),
              HasSubstr("item_keys[1]: 5000 bytes is more than 2048"));
  spec.set_source("range:1-2");
  EXPECT_THAT(manager_.SubmitJob(spec).status().message(), HasSubstr("source: not valid JSON"));
}

TEST_F(JobManagerTest, InlineSourcesTooDeepOrWithItemsTooBigAreRefusedAtSubmit) {
  v1::JobSpec spec = Spec();
  spec.set_source(std::string(100000, '[') + std::string(100000, ']'));
  EXPECT_EQ(manager_.SubmitJob(spec).status().message(),
            "source: the inline list: nested deeper than 64 levels of lists and objects");
  spec.set_source(absl::StrCat(R"([1, ")", std::string(kDefaultMaxItemBytes, 'x'), R"("])"));
  EXPECT_EQ(manager_.SubmitJob(spec).status().message(),
            "source: item 1 is 1048578 bytes as JSON, over the limit of 1048576 (the "
            "coordinator's --max_item_bytes)");
  spec.set_source("[1]");
  spec.set_params_json(std::string(100, '[') + std::string(100, ']'));
  EXPECT_THAT(manager_.SubmitJob(spec).status().message(),
              HasSubstr("params_json: nested deeper than 64"));
  spec.set_params_json("{\"a\": \"\xFF\"}");
  EXPECT_THAT(manager_.SubmitJob(spec).status().message(),
              HasSubstr("params_json: not valid UTF-8"));
}

TEST_F(JobManagerTest, OutOfRangeOptionsAreRefusedNamingTheField) {
  v1::JobSpec spec = Spec();
  spec.mutable_options()->set_batch_size(1'000'000);
  EXPECT_THAT(manager_.SubmitJob(spec).status().message(), HasSubstr("options.batch_size"));
  spec = Spec();
  ToProto(absl::Seconds(-1), spec.mutable_options()->mutable_timeout());
  EXPECT_THAT(manager_.SubmitJob(spec).status().message(), HasSubstr("options.timeout"));
}

TEST_F(JobManagerTest, ResubmissionWithTheSameKeyReturnsTheSameJob) {
  v1::JobSpec spec = Spec();
  spec.set_idempotency_key("k1");
  absl::StatusOr<SubmitOutcome> first = manager_.SubmitJob(spec);
  spec.mutable_options()->set_batch_size(1);  // the default, spelled out: still the same request
  absl::StatusOr<SubmitOutcome> again = manager_.SubmitJob(spec);
  ASSERT_TRUE(first.ok() && again.ok()) << again.status();
  EXPECT_TRUE(first->created);
  EXPECT_FALSE(again->created);
  EXPECT_EQ(first->job.job_id(), again->job.job_id());
}

TEST_F(JobManagerTest, SubmitJobsRefusesABadSpecAloneAndWakesWaitingWorkers) {
  std::shared_ptr<Pending> pending = Lease(LeaseRequest(absl::Seconds(30)));
  v1::JobSpec bad = Spec();
  bad.set_function("builtin:teleport");
  std::vector<absl::StatusOr<SubmitOutcome>> answers =
      manager_.SubmitJobs({Spec("[1]"), bad, Spec("[2]")});
  ASSERT_EQ(answers.size(), 3u);
  ASSERT_TRUE(answers[0].ok() && answers[2].ok());
  EXPECT_TRUE(answers[0]->created && answers[2]->created);
  EXPECT_EQ(answers[1].status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(answers[1].status().message(), HasSubstr("function:"));
  ASSERT_TRUE(pending->done.WaitForNotificationWithTimeout(absl::Seconds(5)));
  ASSERT_TRUE(pending->response.ok());
  EXPECT_EQ(pending->response->jobs_size(), 2);
}

TEST_F(JobManagerTest, ListingsCutLongInlineSourcesButGetJobDoesNot) {
  std::string source = "[";
  for (int i = 0; i < 500; ++i) source += (i ? "," : "") + std::to_string(i);
  source += "]";
  absl::StatusOr<SubmitOutcome> job = manager_.SubmitJob(Spec(source));
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(manager_.GetJob(job->job.job_id())->spec().source(), source);
  const std::string listed = manager_.ListJobs({})->jobs(0).spec().source();
  EXPECT_LT(listed.size(), 400);
  EXPECT_NE(listed.find("bytes; fanout status shows all"), std::string::npos);
}

TEST_F(JobManagerTest, LeaseWaitsUntilWorkArrives) {
  std::shared_ptr<Pending> pending = Lease(LeaseRequest(absl::Seconds(30)));
  EXPECT_FALSE(pending->done.WaitForNotificationWithTimeout(absl::Milliseconds(200)));
  ASSERT_TRUE(manager_.SubmitJob(Spec()).ok());
  ASSERT_TRUE(pending->done.WaitForNotificationWithTimeout(absl::Seconds(5)));
  ASSERT_TRUE(pending->response.ok());
  EXPECT_EQ(pending->response->tasks_size(), 4);
  EXPECT_EQ(pending->response->jobs_size(), 1);
  // Said, so that the worker does not take the wait for a round trip (Worker::PrefetchFor).
  EXPECT_TRUE(pending->response->waited());
  ASSERT_TRUE(manager_.SubmitJob(Spec()).ok());
  std::shared_ptr<Pending> at_once = Lease(LeaseRequest(absl::Seconds(30)));
  ASSERT_TRUE(at_once->done.WaitForNotificationWithTimeout(absl::Seconds(5)));
  ASSERT_TRUE(at_once->response.ok());
  EXPECT_EQ(at_once->response->tasks_size(), 4);
  EXPECT_FALSE(at_once->response->waited());
}

TEST_F(JobManagerTest, LeaseAnswersEmptyWhenTheWaitRunsOut) {
  std::shared_ptr<Pending> pending = Lease(LeaseRequest(absl::Seconds(2)));
  // The background loop waits on the fake clock: time moves only as the test moves it.
  for (int i = 0; i < 500 && !pending->done.WaitForNotificationWithTimeout(absl::Milliseconds(10));
       ++i) {
    clock_.Advance(absl::Milliseconds(100));
  }
  ASSERT_TRUE(pending->done.HasBeenNotified());
  EXPECT_GE(clock_.Now() - absl::FromUnixSeconds(1'700'000'000), absl::Seconds(2))
      << "answered before its wait ran out";
  ASSERT_TRUE(pending->response.ok());
  EXPECT_EQ(pending->response->tasks_size(), 0);
}

TEST_F(JobManagerTest, LeaseWithoutWaitAnswersAtOnce) {
  std::shared_ptr<Pending> pending = Lease(LeaseRequest(absl::ZeroDuration()));
  EXPECT_TRUE(pending->done.HasBeenNotified());
}

TEST_F(JobManagerTest, RetriedLeaseCallGetsTheSameTasksBack) {
  ASSERT_TRUE(manager_.SubmitJob(Spec("range:1-20")).ok());
  v1::LeaseTasksRequest request = LeaseRequest(absl::ZeroDuration(), "req-1");
  request.set_max_tasks(5);
  std::shared_ptr<Pending> first = Lease(request);
  std::shared_ptr<Pending> retry = Lease(request);
  ASSERT_TRUE(first->response.ok() && retry->response.ok());
  ASSERT_EQ(retry->response->tasks_size(), 5);
  EXPECT_EQ(retry->response->tasks(0).ref().epoch(), first->response->tasks(0).ref().epoch());
  EXPECT_EQ(store_.ListJobs(0, 1)[0].counts().running(), 5);
}

TEST_F(JobManagerTest, ARetriedLeaseCallStartsTheLeasesAfresh) {
  // The worker never heard of the first grant, so nothing renewed it; its self-fencing counts a
  // full TTL from the retry's answer, and so must the coordinator.
  ASSERT_TRUE(manager_.SubmitJob(Spec("range:1-20")).ok());
  v1::LeaseTasksRequest request = LeaseRequest(absl::ZeroDuration(), "req-2");
  request.set_max_tasks(2);
  std::shared_ptr<Pending> first = Lease(request);
  ASSERT_TRUE(first->response.ok());
  const absl::Time granted = FromProto(first->response->tasks(0).lease_expires_at());
  const absl::Duration later = manager_.lease_ttl() * 0.6;
  clock_.Advance(later);
  std::shared_ptr<Pending> retry = Lease(request);
  ASSERT_TRUE(retry->response.ok());
  ASSERT_EQ(retry->response->tasks_size(), 2);
  EXPECT_EQ(FromProto(retry->response->tasks(0).lease_expires_at()), granted + later);
  clock_.Advance(manager_.lease_ttl() / 2);  // past the first grant's expiry, not the retry's
  ASSERT_TRUE(store_.ExpireLeases().ok());
  EXPECT_EQ(store_.ListJobs(0, 1)[0].counts().running(), 2);
}

TEST_F(JobManagerTest, AWaitingWorkerThatHungUpGetsNoTasks) {
  auto pending = std::make_shared<Pending>();
  std::atomic<bool> hung_up{false};
  manager_.LeaseTasks(
      LeaseRequest(absl::Seconds(30)),
      [pending](absl::StatusOr<v1::LeaseTasksResponse> r) {
        pending->response = std::move(r);
        pending->done.Notify();
      },
      [&hung_up] { return hung_up.load(); });
  hung_up = true;
  ASSERT_TRUE(manager_.SubmitJob(Spec()).ok());
  ASSERT_TRUE(pending->done.WaitForNotificationWithTimeout(absl::Seconds(5)));
  EXPECT_EQ(pending->response.status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(store_.ListJobs(0, 1)[0].counts().running(), 0) << "nothing leased to nobody";
}

TEST_F(JobManagerTest, ShutdownAnswersWaitingWorkers) {
  std::shared_ptr<Pending> pending = Lease(LeaseRequest(absl::Seconds(30)));
  manager_.Shutdown();
  ASSERT_TRUE(pending->done.HasBeenNotified());
  EXPECT_TRUE(pending->response.ok());
}

TEST_F(JobManagerTest, StaleReportIsRefused) {
  ASSERT_TRUE(manager_.SubmitJob(Spec("range:1-1")).ok());
  std::shared_ptr<Pending> lease = Lease(LeaseRequest(absl::ZeroDuration()));
  v1::ReportResultsRequest report;
  report.mutable_worker()->set_worker_id("w1");
  v1::TaskOutcome* o = report.add_outcomes();
  *o->mutable_ref() = lease->response->tasks(0).ref();
  o->mutable_ref()->set_epoch(99);
  o->mutable_results()->add_results("1");
  absl::StatusOr<v1::ReportResultsResponse> response = manager_.ReportResults(report);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->statuses(0), v1::REPORT_STALE);
}

TEST_F(JobManagerTest, ResultsListOneEntryPerItem) {
  v1::JobSpec spec = Spec("[\"a\", \"b\", \"c\"]");
  spec.mutable_options()->set_batch_size(2);
  absl::StatusOr<SubmitOutcome> job = manager_.SubmitJob(spec);
  std::shared_ptr<Pending> lease = Lease(LeaseRequest(absl::ZeroDuration()));
  v1::ReportResultsRequest report;
  report.mutable_worker()->set_worker_id("w1");
  for (const v1::LeasedTask& t : lease->response->tasks()) {
    v1::TaskOutcome* o = report.add_outcomes();
    *o->mutable_ref() = t.ref();
    for (const std::string& item : t.items()) o->mutable_results()->add_results(item);
  }
  ASSERT_TRUE(manager_.ReportResults(report).ok());
  v1::GetResultsRequest request;
  request.set_job_id(job->job.job_id());
  absl::StatusOr<v1::GetResultsResponse> results = manager_.GetResults(request);
  ASSERT_TRUE(results.ok());
  ASSERT_EQ(results->results_size(), 3);
  EXPECT_EQ(results->results(2).item(), "\"c\"");
  EXPECT_EQ(results->results(2).result(), "\"c\"");
  EXPECT_EQ(results->results(2).state(), v1::TASK_SUCCEEDED);
}

TEST_F(JobManagerTest, AFunctionsTimeLimitAppliesToJobsThatSetNone) {
  JobManager::Options options;
  options.function_timeouts["builtin:sleep"] = absl::Seconds(7);
  JobManager manager(store_, clock_, options);
  v1::JobSpec sleep = Spec("range:1-1");
  sleep.set_function("builtin:sleep");
  v1::JobSpec own = sleep;
  ToProto(absl::Seconds(3), own.mutable_options()->mutable_timeout());
  ASSERT_TRUE(manager.SubmitJob(sleep).ok());
  ASSERT_TRUE(manager.SubmitJob(own).ok());
  ASSERT_TRUE(manager.SubmitJob(Spec("range:1-1")).ok());  // noop: the default
  absl::StatusOr<v1::LeaseTasksResponse> lease = LeaseNow(manager);
  ASSERT_TRUE(lease.ok());
  std::map<std::string, absl::Duration> timeouts;
  for (const v1::JobContext& j : lease->jobs()) timeouts[j.job_id()] = FromProto(j.timeout());
  EXPECT_EQ(timeouts["job-1"], absl::Seconds(7)) << "the function's limit";
  EXPECT_EQ(timeouts["job-2"], absl::Seconds(3)) << "the job's own limit wins";
  EXPECT_EQ(timeouts["job-3"], kDefaultTimeout);
  manager.Shutdown();
}

TEST_F(JobManagerTest, ResultsOverTheLimitFailTheirTaskAndTheLimitIsToldWithEachLease) {
  JobManager::Options options;
  options.max_result_bytes = 10;
  JobManager manager(store_, clock_, options);
  absl::StatusOr<SubmitOutcome> job = manager.SubmitJob(Spec("range:1-2"));
  ASSERT_TRUE(job.ok());
  absl::StatusOr<v1::LeaseTasksResponse> lease = LeaseNow(manager);
  ASSERT_TRUE(lease.ok());
  EXPECT_EQ(lease->max_result_bytes(), 10u);
  ASSERT_EQ(lease->tasks_size(), 2);
  v1::ReportResultsRequest report;
  report.mutable_worker()->set_worker_id("w1");
  for (int i = 0; i < 2; ++i) {
    v1::TaskOutcome* o = report.add_outcomes();
    *o->mutable_ref() = lease->tasks(i).ref();
    o->mutable_results()->add_results(i == 0 ? "\"0123456789\"" : "1");  // 12 bytes; 1 byte
  }
  ASSERT_TRUE(manager.ReportResults(report).ok());
  v1::GetResultsRequest request;
  request.set_job_id(job->job.job_id());
  absl::StatusOr<v1::GetResultsResponse> results = manager.GetResults(request);
  ASSERT_TRUE(results.ok());
  EXPECT_EQ(results->results(0).state(), v1::TASK_FAILED);
  EXPECT_EQ(results->results(0).error().message(),
            "the results are 12 bytes, over the limit of 10 (the coordinator's "
            "--max_result_bytes)");
  EXPECT_EQ(results->results(1).state(), v1::TASK_SUCCEEDED);
  manager.Shutdown();
}

TEST_F(JobManagerTest, PagesOfBigTasksAreCutBySize) {
  // Four tasks of 6 MiB items: a page of 1000 would be 24 MiB; pages stop at kBatchBytes.
  const std::string big = absl::StrCat("\"", std::string((6 << 20) - 100, 'x'), "\"");
  JobManager::Options options;
  options.max_item_bytes = 8 << 20;
  JobManager manager(store_, clock_, options);
  absl::StatusOr<SubmitOutcome> job =
      manager.SubmitJob(Spec(absl::StrCat("[", big, ",", big, ",", big, ",", big, "]")));
  ASSERT_TRUE(job.ok()) << job.status();
  v1::ListTasksRequest request;
  request.set_job_id(job->job.job_id());
  int pages = 0, tasks = 0;
  do {
    absl::StatusOr<v1::ListTasksResponse> page = manager.ListTasks(request);
    ASSERT_TRUE(page.ok());
    EXPECT_LE(page->ByteSizeLong(), kBatchBytes + (6 << 20));
    tasks += page->tasks_size();
    ++pages;
    request.set_page_token(page->next_page_token());
  } while (!request.page_token().empty() && pages < 10);
  EXPECT_EQ(tasks, 4);
  EXPECT_EQ(pages, 2);
  manager.Shutdown();
}

}  // namespace
}  // namespace fanout::coordinator
