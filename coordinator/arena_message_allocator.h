// Puts a unary call's request and response on one protobuf Arena, freed in one go when the call
// ends. A report of 512 outcomes parses into thousands of small messages and strings; on the heap
// each was a malloc and a free, which on the coordinator's hot path cost more than the work itself.
#ifndef FANOUT_COORDINATOR_ARENA_MESSAGE_ALLOCATOR_H_
#define FANOUT_COORDINATOR_ARENA_MESSAGE_ALLOCATOR_H_

#include "google/protobuf/arena.h"
#include "grpcpp/support/message_allocator.h"

namespace fanout::coordinator {

// Thread-safe (stateless). Must outlive the server it is registered with.
template <typename Request, typename Response>
class ArenaMessageAllocator : public grpc::MessageAllocator<Request, Response> {
 public:
  grpc::MessageHolder<Request, Response>* AllocateMessages() override { return new Holder(); }

 private:
  class Holder : public grpc::MessageHolder<Request, Response> {
   public:
    Holder() : arena_(Options()) {
      this->set_request(google::protobuf::Arena::CreateMessage<Request>(&arena_));
      this->set_response(google::protobuf::Arena::CreateMessage<Response>(&arena_));
    }
    void Release() override { delete this; }

   private:
    static google::protobuf::ArenaOptions Options() {
      google::protobuf::ArenaOptions options;
      options.start_block_size = 16 << 10;
      options.max_block_size = 1 << 20;
      return options;
    }
    google::protobuf::Arena arena_;
  };
};

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_ARENA_MESSAGE_ALLOCATOR_H_
