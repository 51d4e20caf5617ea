// One arena per unary call, its first block inside the holder.
#include "server/arena_allocator.h"

namespace detect::server {
namespace {

class ArenaHolder final : public grpc::MessageHolder<v1::EvaluateRequest, v1::EvaluateResponse> {
 public:
  ArenaHolder() : arena_(RequestArenaOptions(block_, sizeof(block_))) {
    set_request(google::protobuf::Arena::CreateMessage<v1::EvaluateRequest>(&arena_));
    set_response(google::protobuf::Arena::CreateMessage<v1::EvaluateResponse>(&arena_));
  }
  void Release() override { delete this; }

 private:
  alignas(8) char block_[8192];  // Enough for a one-event call and its answer: no further allocation.
  google::protobuf::Arena arena_;
};

}  // namespace

google::protobuf::ArenaOptions RequestArenaOptions(char* initial_block, size_t initial_block_size) {
  google::protobuf::ArenaOptions options;
  options.start_block_size = 64 << 10;
  options.max_block_size = 1 << 20;
  options.initial_block = initial_block;
  options.initial_block_size = initial_block_size;
  return options;
}

grpc::MessageHolder<v1::EvaluateRequest, v1::EvaluateResponse>* EvaluateArenaAllocator::AllocateMessages() {
  return new ArenaHolder();
}

}  // namespace detect::server
