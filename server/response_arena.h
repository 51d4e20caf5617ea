// ResponseArena: EvaluateResponse messages built on a reused arena. A response with matches holds many small
// messages (Match, SummaryAttribute, google.protobuf.Value, Struct map nodes) that Clear() would free one by
// one (proto3 deletes singular submessages) and the next batch would allocate again; on an arena they cost a
// bump of a pointer, and Reset() gives back the lot.
#ifndef DETECT_SERVER_RESPONSE_ARENA_H_
#define DETECT_SERVER_RESPONSE_ARENA_H_

#include "detect/v1/detect.pb.h"
#include "google/protobuf/arena.h"

namespace detect::server {

// Thread-compatible: one per thread or stream.
class ResponseArena {
 public:
  ResponseArena() : arena_(Options()) {}
  ResponseArena(const ResponseArena&) = delete;
  ResponseArena& operator=(const ResponseArena&) = delete;

  // A fresh, empty response; the previous one (and everything in it) is released.
  v1::EvaluateResponse& New() {
    arena_.Reset();
    return *google::protobuf::Arena::CreateMessage<v1::EvaluateResponse>(&arena_);
  }

 private:
  static google::protobuf::ArenaOptions Options() {
    google::protobuf::ArenaOptions options;
    options.start_block_size = 16 << 10;
    options.max_block_size = 1 << 20;
    return options;
  }
  google::protobuf::Arena arena_;
};

}  // namespace detect::server

#endif  // DETECT_SERVER_RESPONSE_ARENA_H_
