// IP address parsing and classification matching Python 3.11's `ipaddress` module. The parser is hand-written to
// follow CPython's Lib/ipaddress.py step by step (inet_pton's grammar differs in corner cases, e.g. a "::" that
// stands for zero hextets), works directly on the string_view and never allocates.
#include "engine/internal/ip_address.h"

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace detect::engine_internal {
namespace {

constexpr absl::string_view::size_type kNpos = absl::string_view::npos;
constexpr int kHextetCount = 8;
// Python's default sys.get_int_max_str_digits(): int() of a longer decimal string raises ValueError, which
// ipaddress reports as an invalid netmask, so "/000...08" with more than 4300 digits is rejected.
constexpr size_t kPythonIntMaxStrDigits = 4300;

struct V4Range {
  uint32_t base;
  int prefix_len;
};

struct U128 {
  uint64_t hi;
  uint64_t lo;
};

struct V6Range {
  U128 base;
  int prefix_len;
};

// Python 3.11 (before the CVE-2024-4032 table change) _IPv4Constants._private_networks.
constexpr V4Range kV4PrivateNetworks[] = {
    {0x00000000u, 8},   // 0.0.0.0/8
    {0x0A000000u, 8},   // 10.0.0.0/8
    {0x7F000000u, 8},   // 127.0.0.0/8
    {0xA9FE0000u, 16},  // 169.254.0.0/16
    {0xAC100000u, 12},  // 172.16.0.0/12
    {0xC0000000u, 29},  // 192.0.0.0/29
    {0xC00000AAu, 31},  // 192.0.0.170/31
    {0xC0000200u, 24},  // 192.0.2.0/24
    {0xC0A80000u, 16},  // 192.168.0.0/16
    {0xC6120000u, 15},  // 198.18.0.0/15
    {0xC6336400u, 24},  // 198.51.100.0/24
    {0xCB007100u, 24},  // 203.0.113.0/24
    {0xF0000000u, 4},   // 240.0.0.0/4
    {0xFFFFFFFFu, 32},  // 255.255.255.255/32
};

// _IPv4Constants._public_network: shared address space, neither private nor global.
constexpr V4Range kV4SharedNetwork = {0x64400000u, 10};  // 100.64.0.0/10

// Python 3.11 (before the CVE-2024-4032 table change) _IPv6Constants._private_networks.
constexpr V6Range kV6PrivateNetworks[] = {
    {{0, 1}, 128},                     // ::1/128
    {{0, 0}, 128},                     // ::/128
    {{0, 0x0000FFFF00000000ull}, 96},  // ::ffff:0:0/96 (mapped addresses are handled before)
    {{0x0100000000000000ull, 0}, 64},  // 100::/64
    {{0x2001000000000000ull, 0}, 23},  // 2001::/23
    {{0x2001000200000000ull, 0}, 48},  // 2001:2::/48
    {{0x20010DB800000000ull, 0}, 32},  // 2001:db8::/32
    {{0x2001001000000000ull, 0}, 28},  // 2001:10::/28
    {{0xFC00000000000000ull, 0}, 7},   // fc00::/7
    {{0xFE80000000000000ull, 0}, 10},  // fe80::/10
};

// Non-throwing substring [begin, end) (absl::string_view::substr may throw and needs absl_throw_delegate).
absl::string_view Slice(absl::string_view text, size_t begin, size_t end) {
  return absl::string_view(text.data() + begin, end - begin);
}

// Position of the first `c` at or after `pos`, or kNpos.
size_t Find(absl::string_view text, char c, size_t pos = 0) {
  if (pos >= text.size()) return kNpos;
  const void* hit = std::memchr(text.data() + pos, c, text.size() - pos);
  return hit == nullptr ? kNpos : static_cast<size_t>(static_cast<const char*>(hit) - text.data());
}

bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

uint32_t Load32(const uint8_t* b) {
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | uint32_t{b[3]};
}

U128 Load128(const std::array<uint8_t, 16>& b) {
  U128 v{0, 0};
  for (int i = 0; i < 8; ++i) v.hi = (v.hi << 8) | b[i];
  for (int i = 8; i < 16; ++i) v.lo = (v.lo << 8) | b[i];
  return v;
}

uint32_t Mask32(int prefix_len) { return prefix_len == 0 ? 0 : ~uint32_t{0} << (32 - prefix_len); }

uint64_t Mask64(int prefix_len) { return prefix_len <= 0 ? 0 : ~uint64_t{0} << (64 - prefix_len); }

bool InPrefix32(uint32_t addr, uint32_t base, int prefix_len) {
  const uint32_t mask = Mask32(prefix_len);
  return (addr & mask) == (base & mask);
}

bool InPrefix128(U128 addr, U128 base, int prefix_len) {
  if (prefix_len <= 64) {
    const uint64_t mask = Mask64(prefix_len);
    return (addr.hi & mask) == (base.hi & mask);
  }
  const uint64_t mask = Mask64(prefix_len - 64);
  return addr.hi == base.hi && (addr.lo & mask) == (base.lo & mask);
}

// IPv4Address._ip_int_from_string + _parse_octet: exactly four '.'-separated fields of 1-3 ASCII digits, no
// leading zeros (except "0" itself), each <= 255. Writes out[0..3] only on success.
bool ParseIpv4(absl::string_view text, uint8_t* out) {
  // Octet by octet: 1-3 decimal digits, no leading zeros (Python >= 3.9.5), at most 255, exactly 4 octets
  // separated by single dots and nothing after the fourth.
  const char* p = text.data();
  const char* const end = p + text.size();
  uint8_t octets[4];
  for (int k = 0; k < 4; ++k) {
    if (k > 0) {
      if (p == end || *p != '.') return false;
      ++p;
    }
    if (p == end || !IsAsciiDigit(*p)) return false;
    unsigned value = static_cast<unsigned>(*p++ - '0');
    if (p != end && IsAsciiDigit(*p)) {
      if (value == 0) return false;  // A leading zero.
      value = value * 10 + static_cast<unsigned>(*p++ - '0');
      if (p != end && IsAsciiDigit(*p)) {
        value = value * 10 + static_cast<unsigned>(*p++ - '0');
        if (value > 255) return false;
      }
    }
    octets[k] = static_cast<uint8_t>(value);
  }
  if (p != end) return false;  // A fourth digit, a fifth octet, or anything else.
  for (int i = 0; i < 4; ++i) out[i] = octets[i];
  return true;
}

// IPv6Address._parse_hextet: 1-4 hex digits. Returns the value, -1 for an empty part, -2 when invalid.
int ParseHextet(absl::string_view part) {
  if (part.empty()) return -1;
  if (part.size() > 4) return -2;
  int value = 0;
  for (char c : part) {
    const int digit = HexDigitValue(c);
    if (digit < 0) return -2;
    value = (value << 4) | digit;
  }
  return value;
}

// IPv6Address._ip_int_from_string (scope id already removed). Writes out[0..15] only on success.
bool ParseIpv6NoScope(absl::string_view text, uint8_t* out) {
  if (text.empty()) return false;
  constexpr int kMaxParts = kHextetCount + 1;  // "At most 8 colons".

  // Split on ':'. More than kMaxParts parts can never be valid (an IPv4 suffix only adds one more).
  absl::string_view parts[kMaxParts];
  int num_parts = 0;
  size_t start = 0;
  while (true) {
    if (num_parts == kMaxParts) return false;
    const size_t end = Find(text, ':', start);
    parts[num_parts++] = Slice(text, start, end == kNpos ? text.size() : end);
    if (end == kNpos) break;
    start = end + 1;
  }
  if (num_parts < 3) return false;  // "At least 3 parts expected".

  // Every non-empty part is parsed as a hextet by Python (empty ones are "::" or an endpoint of it), so an
  // invalid non-empty part makes the address invalid whatever the structure. values[i] == -1 marks an empty part.
  int values[kMaxParts + 1];
  int count = num_parts;
  const bool v4_suffix = Find(parts[num_parts - 1], '.') != kNpos;
  for (int i = 0; i < num_parts - (v4_suffix ? 1 : 0); ++i) {
    values[i] = ParseHextet(parts[i]);
    if (values[i] == -2) return false;
  }
  if (v4_suffix) {
    uint8_t v4[4];
    if (!ParseIpv4(parts[num_parts - 1], v4)) return false;
    values[num_parts - 1] = (v4[0] << 8) | v4[1];
    values[num_parts] = (v4[2] << 8) | v4[3];
    ++count;
  }
  if (count > kMaxParts) return false;

  // Disregarding the endpoints, find the (single) empty part that marks "::".
  int skip_index = -1;
  for (int i = 1; i < count - 1; ++i) {
    if (values[i] == -1) {
      if (skip_index >= 0) return false;  // "At most one '::' permitted".
      skip_index = i;
    }
  }

  int parts_hi;  // Hextets taken from the front.
  int parts_lo;  // Hextets taken from the back.
  if (skip_index >= 0) {
    parts_hi = skip_index;
    parts_lo = count - skip_index - 1;
    if (values[0] == -1 && --parts_hi != 0) return false;          // ^: requires ^::
    if (values[count - 1] == -1 && --parts_lo != 0) return false;  // :$ requires ::$
    if (kHextetCount - (parts_hi + parts_lo) < 1) return false;    // "::" must stand for >= 1 hextet.
  } else {
    if (count != kHextetCount) return false;
    if (values[0] == -1 || values[count - 1] == -1) return false;
    parts_hi = count;
    parts_lo = 0;
  }

  uint16_t hextets[kHextetCount] = {};
  for (int i = 0; i < parts_hi; ++i) hextets[i] = static_cast<uint16_t>(values[i]);
  for (int i = 0; i < parts_lo; ++i) {
    hextets[kHextetCount - parts_lo + i] = static_cast<uint16_t>(values[count - parts_lo + i]);
  }
  for (int i = 0; i < kHextetCount; ++i) {
    out[2 * i] = static_cast<uint8_t>(hextets[i] >> 8);
    out[2 * i + 1] = static_cast<uint8_t>(hextets[i] & 0xFF);
  }
  return true;
}

// IPv6Address.__init__ for a string: no '/', optional "%scope" (non-empty, no further '%') which is ignored.
bool ParseIpv6(absl::string_view text, uint8_t* out) {
  if (Find(text, '/') != kNpos) return false;
  const size_t percent = Find(text, '%');
  if (percent != kNpos) {
    const absl::string_view scope = Slice(text, percent + 1, text.size());
    if (scope.empty() || Find(scope, '%') != kNpos) return false;
    text = Slice(text, 0, percent);
  }
  return ParseIpv6NoScope(text, out);
}

// _BaseNetwork._prefix_from_prefix_string: ASCII digits only (leading zeros fine), 0 <= value <= max_prefix_len.
bool ParsePrefixLength(absl::string_view text, int max_prefix_len, int* prefix_len) {
  if (text.empty() || text.size() > kPythonIntMaxStrDigits) return false;
  int value = 0;
  for (char c : text) {
    if (!IsAsciiDigit(c)) return false;
    value = value * 10 + (c - '0');
    if (value > max_prefix_len) return false;
  }
  *prefix_len = value;
  return true;
}

// _BaseNetwork._prefix_from_ip_int for IPv4: the mask must be ones followed by zeros.
bool PrefixFromV4Netmask(uint32_t mask, int* prefix_len) {
  const uint32_t inverted = ~mask;
  if ((inverted & (inverted + 1)) != 0) return false;  // inverted must be 2^k - 1.
  int ones = 0;
  for (uint32_t m = mask; m != 0; m <<= 1) ++ones;
  *prefix_len = ones;
  return true;
}

// IPv4Network._make_netmask for a string: a prefix length, else a dotted netmask, else a dotted hostmask.
bool ParseIpv4Mask(absl::string_view text, int* prefix_len) {
  if (ParsePrefixLength(text, 32, prefix_len)) return true;
  uint8_t bytes[4];
  if (!ParseIpv4(text, bytes)) return false;
  const uint32_t mask = Load32(bytes);
  return PrefixFromV4Netmask(mask, prefix_len) || PrefixFromV4Netmask(~mask, prefix_len);
}

bool IsV4Mapped(const IpAddress& ip) {
  if (!ip.is_v6) return false;
  for (int i = 0; i < 10; ++i) {
    if (ip.bytes[i] != 0) return false;
  }
  return ip.bytes[10] == 0xFF && ip.bytes[11] == 0xFF;
}

bool IsV4Private(uint32_t addr) {
  for (const V4Range& range : kV4PrivateNetworks) {
    if (InPrefix32(addr, range.base, range.prefix_len)) return true;
  }
  return false;
}

bool IsV6Private(U128 addr) {
  for (const V6Range& range : kV6PrivateNetworks) {
    if (InPrefix128(addr, range.base, range.prefix_len)) return true;
  }
  return false;
}

// The IPv4 address to classify: the address itself, or the embedded address of an IPv4-mapped IPv6 address.
std::optional<uint32_t> ClassifiedV4(const IpAddress& ip) {
  if (!ip.is_v6) return Load32(ip.bytes.data());
  if (IsV4Mapped(ip)) return Load32(ip.bytes.data() + 12);
  return std::nullopt;
}

}  // namespace

std::optional<IpAddress> ParseIpAddress(absl::string_view text) {
  // ip_address(): try IPv4Address, then IPv6Address.
  IpAddress ip;
  if (ParseIpv4(text, ip.bytes.data())) return ip;
  if (ParseIpv6(text, ip.bytes.data())) {
    ip.is_v6 = true;
    return ip;
  }
  return std::nullopt;
}

bool IsPrivate(const IpAddress& ip) {
  if (const std::optional<uint32_t> v4 = ClassifiedV4(ip)) return IsV4Private(*v4);
  return IsV6Private(Load128(ip.bytes));
}

bool IsGlobal(const IpAddress& ip) {
  if (const std::optional<uint32_t> v4 = ClassifiedV4(ip)) {
    return !InPrefix32(*v4, kV4SharedNetwork.base, kV4SharedNetwork.prefix_len) && !IsV4Private(*v4);
  }
  return !IsV6Private(Load128(ip.bytes));
}

std::optional<IpNetwork> ParseIpNetwork(absl::string_view text) {
  // _split_optional_netmask: at most one '/'.
  const size_t slash = Find(text, '/');
  const absl::string_view addr = Slice(text, 0, slash == kNpos ? text.size() : slash);
  absl::string_view mask;
  if (slash != kNpos) {
    mask = Slice(text, slash + 1, text.size());
    if (Find(mask, '/') != kNpos) return std::nullopt;
  }

  // ip_network(): try IPv4Network, then IPv6Network; strict=False clears host bits.
  IpNetwork net;
  if (ParseIpv4(addr, net.base.bytes.data())) {
    net.prefix_len = 32;
    if (slash == kNpos || ParseIpv4Mask(mask, &net.prefix_len)) {
      const uint32_t base = Load32(net.base.bytes.data()) & Mask32(net.prefix_len);
      net.base.bytes[0] = static_cast<uint8_t>(base >> 24);
      net.base.bytes[1] = static_cast<uint8_t>(base >> 16);
      net.base.bytes[2] = static_cast<uint8_t>(base >> 8);
      net.base.bytes[3] = static_cast<uint8_t>(base);
      return net;
    }
    return std::nullopt;  // A valid IPv4 address is never a valid IPv6 address.
  }
  if (ParseIpv6(addr, net.base.bytes.data())) {
    net.base.is_v6 = true;
    net.prefix_len = 128;
    if (slash != kNpos && !ParsePrefixLength(mask, 128, &net.prefix_len)) return std::nullopt;
    for (int i = 0; i < 16; ++i) {
      const int bits = net.prefix_len - 8 * i;  // Prefix bits falling in byte i.
      if (bits >= 8) continue;
      net.base.bytes[i] &= bits <= 0 ? 0 : static_cast<uint8_t>(0xFF << (8 - bits));
    }
    return net;
  }
  return std::nullopt;
}

bool NetworkContains(const IpNetwork& net, const IpAddress& ip) {
  if (net.base.is_v6 != ip.is_v6) return false;
  if (!ip.is_v6) return InPrefix32(Load32(ip.bytes.data()), Load32(net.base.bytes.data()), net.prefix_len);
  return InPrefix128(Load128(ip.bytes), Load128(net.base.bytes), net.prefix_len);
}

}  // namespace detect::engine_internal
