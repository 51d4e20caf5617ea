// Protobuf wire encoding by hand, for tests that build bytes the generated classes would not (fields split,
// repeated, out of order, malformed): one definition.
#ifndef DETECT_TESTS_TESTING_WIRE_ENCODING_H_
#define DETECT_TESTS_TESTING_WIRE_ENCODING_H_

#include <cstdint>
#include <string>

namespace detect::test_support {

// `v` as a base-128 varint.
inline std::string Varint(uint64_t v) {
  std::string out;
  for (; v >= 0x80; v >>= 7) out.push_back(static_cast<char>((v & 0x7F) | 0x80));
  out.push_back(static_cast<char>(v));
  return out;
}

// A length-delimited field (wire type 2): tag, length, payload.
inline std::string LengthDelimited(uint32_t number, const std::string& payload) {
  return Varint(uint64_t{number} << 3 | 2) + Varint(payload.size()) + payload;
}

}  // namespace detect::test_support

#endif  // DETECT_TESTS_TESTING_WIRE_ENCODING_H_
