// IP address and network parsing and classification for the rule engine, matching Python 3.11's `ipaddress`
// module (ip_address(), ip_network(strict=False), .is_private, .is_global) so detections agree with Panther rules.
#ifndef DETECT_ENGINE_INTERNAL_IP_ADDRESS_H_
#define DETECT_ENGINE_INTERNAL_IP_ADDRESS_H_

#include <array>
#include <cstdint>
#include <optional>

#include "absl/strings/string_view.h"

namespace detect::engine_internal {

// An IPv4 or IPv6 address. IPv4 is stored as IPv4 (not IPv4-mapped): bytes[0..3] in network order, rest zero.
// An IPv6 scope id ("%eth0") is not kept.
struct IpAddress {
  bool is_v6 = false;
  std::array<uint8_t, 16> bytes{};  // v4 uses bytes[0..3]
};

// Parses like Python's ipaddress.ip_address(str): IPv4 dotted quad (exactly 4 decimal octets, no leading zeros as
// Python >= 3.9.5 rejects them, each <= 255), IPv6 in all textual forms incl. embedded IPv4 (::ffff:1.2.3.4) and a
// %scope suffix (accepted and ignored). Returns nullopt for anything else (empty, whitespace, "1.2.3", "256.0.0.1").
// Does not allocate.
std::optional<IpAddress> ParseIpAddress(absl::string_view text);

// Python 3.11 ipaddress .is_private (pre-CVE-2024-4032 tables), except that an IPv4-mapped IPv6 address
// (::ffff:a.b.c.d) is judged by its IPv4 address.
bool IsPrivate(const IpAddress& ip);

// Python 3.11 ipaddress .is_global: IPv4: not in 100.64.0.0/10 and not private; IPv6: not private. An IPv4-mapped
// IPv6 address is judged by its IPv4 address (so ::ffff:100.64.0.1 is neither private nor global).
bool IsGlobal(const IpAddress& ip);

struct IpNetwork {
  IpAddress base;  // Host bits cleared.
  int prefix_len;
};

// Parses "10.0.0.0/8", "2001:db8::/32", or a bare address (= /32 or /128), like Python's
// ipaddress.ip_network(str, strict=False): host bits set are accepted (and cleared), the prefix is decimal digits
// (leading zeros allowed), IPv4 also accepts a dotted netmask or hostmask ("10.0.0.0/255.0.0.0", "/0.0.0.255").
std::optional<IpNetwork> ParseIpNetwork(absl::string_view text);

// True when `ip` is inside `net`; false when the address families differ.
bool NetworkContains(const IpNetwork& net, const IpAddress& ip);

}  // namespace detect::engine_internal

#endif  // DETECT_ENGINE_INTERNAL_IP_ADDRESS_H_
