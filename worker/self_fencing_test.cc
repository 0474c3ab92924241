// Self-fencing: a worker that cannot renew its leases stops their handlers by the time the
// coordinator may give the tasks to someone else (the lease TTL after the last renewal it sent),
// and not before. The coordinator is a small gRPC service on loopback whose renewals can be made
// to fail, as a partition would.
#include <atomic>
#include <memory>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "proto/worker_service.grpc.pb.h"
#include "worker/checkpoint_batcher.h"
#include "worker/lease_renewer.h"
#include "worker/loopback_server.h"

namespace fanout::worker {
namespace {

constexpr absl::Duration kTtl = absl::Milliseconds(600);

class PartitionableCoordinator final : public v1::WorkerService::Service {
 public:
  grpc::Status Checkpoint(grpc::ServerContext*, const v1::CheckpointRequest*,
                          v1::CheckpointResponse*) override {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "partitioned");
  }
  grpc::Status RenewLeases(grpc::ServerContext*, const v1::RenewLeasesRequest* request,
                           v1::RenewLeasesResponse* response) override {
    if (cut_off.load()) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "partitioned");
    for (int i = 0; i < request->leases_size(); ++i) response->add_statuses(v1::LEASE_OK);
    response->mutable_lease_ttl()->set_nanos(absl::ToInt64Nanoseconds(kTtl));
    return grpc::Status::OK;
  }
  std::atomic<bool> cut_off{false};
};

class SelfFencingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = StartLoopbackServer(coordinator_);
    ASSERT_NE(server_.server, nullptr);
    stub_ = v1::WorkerService::NewStub(
        grpc::CreateChannel(server_.address(), grpc::InsecureChannelCredentials()));
  }
  void TearDown() override { server_.server->Shutdown(); }

 public:
  static v1::TaskRef Ref(uint64_t index) {
    v1::TaskRef r;
    r.set_job_id("job-1");
    r.set_index(index);
    r.set_epoch(1);
    return r;
  }

  PartitionableCoordinator coordinator_;
  LoopbackServer server_;
  std::unique_ptr<v1::WorkerService::Stub> stub_;
};

TEST_F(SelfFencingTest, HandlersStopWithinTheTtlOfTheLastRenewalAndNotWhileRenewalsSucceed) {
  LeaseBook book;
  LeaseRenewer renewer(*stub_, book, [](v1::WorkerInfo* info) { info->set_worker_id("w"); });
  renewer.set_lease_ttl(kTtl);
  LeaseHandle running = book.Add(Ref(1));
  running->running = true;
  LeaseHandle queued = book.Add(Ref(2));
  absl::SleepFor(kTtl * 4);  // renewed all along: nothing is fenced
  EXPECT_FALSE(running->cancelled.load());
  EXPECT_FALSE(queued->cancelled.load());
  EXPECT_EQ(renewer.fenced(), 0u);

  coordinator_.cut_off = true;
  const absl::Time cut = absl::Now();
  while (!running->cancelled.load() && absl::Now() - cut < kTtl * 3) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  const absl::Duration stopped_after = absl::Now() - cut;
  EXPECT_TRUE(running->cancelled.load());
  EXPECT_TRUE(queued->cancelled.load());
  // The last successful renewal was sent at most a renewal interval (and a round trip) before the
  // cut; fencing comes one TTL after it, checked every 50 ms.
  EXPECT_LE(stopped_after, kTtl + absl::Milliseconds(100)) << stopped_after;
  EXPECT_GE(stopped_after, kTtl - absl::Milliseconds(250)) << stopped_after;
  EXPECT_EQ(renewer.fenced(), 2u);
}

TEST_F(SelfFencingTest, AFreshGrantCountsFromItsArrival) {
  LeaseBook book;
  coordinator_.cut_off = true;
  LeaseRenewer renewer(*stub_, book, [](v1::WorkerInfo* info) { info->set_worker_id("w"); });
  renewer.set_lease_ttl(kTtl);
  LeaseHandle granted = book.Add(Ref(3));
  absl::SleepFor(kTtl / 2);
  EXPECT_FALSE(granted->cancelled.load()) << "fenced before its TTL had run out";
  absl::SleepFor(kTtl);
  EXPECT_TRUE(granted->cancelled.load()) << "still running with no renewal for 1.5 TTLs";
}

TEST_F(SelfFencingTest, AHandlerWaitingOnACheckpointStopsWhenItsLeaseIsFenced) {
  coordinator_.cut_off = true;  // checkpoints are retried until their deadline, a minute away
  CheckpointBatcher batcher(*stub_, {}, [](v1::WorkerInfo* info) { info->set_worker_id("w"); });
  std::atomic<bool> fenced{false};
  std::thread fence([&] {
    absl::SleepFor(absl::Milliseconds(300));
    fenced = true;
  });
  const absl::Time start = absl::Now();
  absl::StatusOr<v1::LeaseStatus> answer =
      batcher.Commit(Ref(4), "cursor", 0.5, absl::Now() + absl::Minutes(1), &fenced);
  const absl::Duration waited = absl::Now() - start;
  fence.join();
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(*answer, v1::LEASE_LOST);
  EXPECT_LT(waited, absl::Milliseconds(600)) << "kept waiting after the fence";
}

TEST(LeaseBookFenceTest, OnlyLeasesNotConfirmedSinceTheCutoffAreFenced) {
  LeaseBook book;
  LeaseHandle old_lease = book.Add(SelfFencingTest::Ref(1));
  const int64_t cutoff = SteadyNowNs() + 1;
  LeaseHandle fresh = book.Add(SelfFencingTest::Ref(2));
  LeaseHandle confirmed = book.Add(SelfFencingTest::Ref(3));
  confirmed->confirmed_ns = 0;
  book.Confirm({SelfFencingTest::Ref(3)}, cutoff + 5);
  EXPECT_EQ(book.FenceUnconfirmed(cutoff).leases, 1u);
  EXPECT_TRUE(old_lease->cancelled.load());
  EXPECT_FALSE(fresh->cancelled.load());
  EXPECT_FALSE(confirmed->cancelled.load());
  EXPECT_EQ(book.FenceUnconfirmed(cutoff).leases, 0u) << "a fenced lease is counted once";
}

}  // namespace
}  // namespace fanout::worker
