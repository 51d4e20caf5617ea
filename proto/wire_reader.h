// A minimal reader of the protobuf wire format (tags, varints, fixed32/64, length-delimited fields), for the
// views that read serialized messages without parsing them into objects (audit_event_wire, request_view).
#ifndef DETECT_PROTO_WIRE_READER_H_
#define DETECT_PROTO_WIRE_READER_H_

#include <cstdint>
#include <cstring>

#include "absl/strings/string_view.h"

namespace detect::wire {

// One field occurrence.
struct Field {
  uint32_t number = 0;
  uint8_t wire_type = 0;
  uint64_t scalar = 0;     // Varint value, or the bits of a fixed32/fixed64.
  absl::string_view data;  // Length-delimited payload.
};

// Iterates the fields of one message. Thread-compatible; reads only inside the given bytes.
class Reader {
 public:
  explicit Reader(absl::string_view bytes)
      : p_(reinterpret_cast<const uint8_t*>(bytes.data())), end_(p_ + bytes.size()) {}

  // The next field; false at the end or on malformed input (then error() is true).
  bool Next(Field* f) {
    if (p_ == end_) return false;
    uint64_t tag;
    if (!Varint(&tag) || (tag >> 3) == 0 || (tag >> 3) > 0x1FFFFFFF) return Fail();
    f->number = static_cast<uint32_t>(tag >> 3);
    f->wire_type = static_cast<uint8_t>(tag & 7);
    switch (f->wire_type) {
      case 0: return Varint(&f->scalar) || Fail();
      case 1: return Fixed(8, &f->scalar) || Fail();
      case 5: return Fixed(4, &f->scalar) || Fail();
      case 2: {
        uint64_t len;
        if (!Varint(&len) || len > static_cast<uint64_t>(end_ - p_)) return Fail();
        f->data = absl::string_view(reinterpret_cast<const char*>(p_), len);
        p_ += len;
        return true;
      }
      default: return Fail();  // Groups (3, 4) are not used by proto3; 6 and 7 do not exist.
    }
  }
  bool error() const { return error_; }
  // Bytes consumed so far, given the bytes the reader was made with.
  size_t offset(absl::string_view bytes) const {
    return static_cast<size_t>(p_ - reinterpret_cast<const uint8_t*>(bytes.data()));
  }

 private:
  // Most varints on the wire (tags, lengths under 128, small numbers) are one byte: read those inline.
  bool Varint(uint64_t* v) {
    if (p_ < end_ && *p_ < 0x80) {
      *v = *p_++;
      return true;
    }
    return SlowVarint(v);
  }
  bool SlowVarint(uint64_t* v) {
    uint64_t result = 0;
    for (int shift = 0; shift < 64 && p_ < end_; shift += 7) {
      const uint8_t b = *p_++;
      result |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (b < 0x80) {
        *v = result;
        return true;
      }
    }
    return false;
  }
  bool Fixed(int n, uint64_t* v) {
    if (end_ - p_ < n) return false;
    uint64_t x = 0;
    std::memcpy(&x, p_, n);  // Little-endian, as the wire format and x86/ARM hosts.
    p_ += n;
    *v = x;
    return true;
  }
  bool Fail() {
    error_ = true;
    p_ = end_;
    return false;
  }

  const uint8_t* p_;
  const uint8_t* end_;
  bool error_ = false;
};

}  // namespace detect::wire

#endif  // DETECT_PROTO_WIRE_READER_H_
