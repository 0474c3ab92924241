#include "tests/job_pages.h"

#include <chrono>

#include "common/grpc_status.h"
#include "grpcpp/grpcpp.h"

namespace fanout::testing {
namespace {

// Calls `method` page by page; `take` moves a page's entries out.
template <typename Request, typename Response, typename Entry, typename Method, typename Take>
absl::StatusOr<std::vector<Entry>> AllPages(const std::string& job_id, Method method, Take take) {
  std::vector<Entry> out;
  Request request;
  request.set_job_id(job_id);
  request.set_page_size(5000);
  do {
    Response response;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    grpc::Status status = method(&context, request, &response);
    if (!status.ok()) return FromGrpcStatus(status);
    take(response, out);
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  return out;
}

}  // namespace

absl::StatusOr<std::vector<v1::Task>> ListAllTasks(v1::JobService::StubInterface& jobs,
                                                   const std::string& job_id) {
  return AllPages<v1::ListTasksRequest, v1::ListTasksResponse, v1::Task>(
      job_id,
      [&](grpc::ClientContext* c, const v1::ListTasksRequest& r, v1::ListTasksResponse* out) {
        return jobs.ListTasks(c, r, out);
      },
      [](v1::ListTasksResponse& page, std::vector<v1::Task>& out) {
        for (v1::Task& t : *page.mutable_tasks()) out.push_back(std::move(t));
      });
}

absl::StatusOr<std::vector<v1::ItemResult>> ListAllResults(v1::JobService::StubInterface& jobs,
                                                           const std::string& job_id) {
  return AllPages<v1::GetResultsRequest, v1::GetResultsResponse, v1::ItemResult>(
      job_id,
      [&](grpc::ClientContext* c, const v1::GetResultsRequest& r, v1::GetResultsResponse* out) {
        return jobs.GetResults(c, r, out);
      },
      [](v1::GetResultsResponse& page, std::vector<v1::ItemResult>& out) {
        for (v1::ItemResult& r : *page.mutable_results()) out.push_back(std::move(r));
      });
}

}  // namespace fanout::testing
