// Tests for engine/internal/ip_address.h: parsing, is_private/is_global and CIDR containment must agree with
// Python 3.11's ipaddress module. Expected values were generated with CPython 3.11.7 (tables before the
// CVE-2024-4032 change), except IPv4-mapped IPv6 addresses, which by project rule take their IPv4 address's answers
// (3.11.7 itself reports is_global=True for ::ffff:100.64.0.0/10).
#include "engine/internal/ip_address.h"

#include <cstdio>
#include <optional>
#include <ostream>
#include <string>

#include "absl/strings/string_view.h"
#include "gtest/gtest.h"

namespace detect::engine_internal {
namespace {

std::string HexBytes(const IpAddress& ip) {
  std::string hex;
  char byte[3];
  for (int i = 0; i < (ip.is_v6 ? 16 : 4); ++i) {
    std::snprintf(byte, sizeof(byte), "%02x", ip.bytes[i]);
    hex += byte;
  }
  return hex;
}

template <typename Case>
std::string CaseName(const ::testing::TestParamInfo<Case>& info) {
  return info.param.name;
}

// ---------------------------------------------------------------------------------------------------------------
// IsPrivate / IsGlobal: both edges of every range in the tables, 100.64.0.0/10, IPv4-mapped addresses, addresses
// whose answer changed in later Pythons (pins the 3.11 tables), and random addresses.

struct ClassifyCase {
  const char* name;
  const char* text;
  bool is_private;
  bool is_global;
};

void PrintTo(const ClassifyCase& c, std::ostream* os) { *os << '"' << c.text << '"'; }

constexpr ClassifyCase kClassifyCases[] = {
    {"V4_0_0_0_0", "0.0.0.0", true, false},
    {"V4_0_255_255_255", "0.255.255.255", true, false},
    {"V4_1_0_0_0", "1.0.0.0", false, true},
    {"V4_9_255_255_255", "9.255.255.255", false, true},
    {"V4_10_0_0_0", "10.0.0.0", true, false},
    {"V4_10_255_255_255", "10.255.255.255", true, false},
    {"V4_11_0_0_0", "11.0.0.0", false, true},
    {"V4_126_255_255_255", "126.255.255.255", false, true},
    {"V4_127_0_0_0", "127.0.0.0", true, false},
    {"V4_127_255_255_255", "127.255.255.255", true, false},
    {"V4_128_0_0_0", "128.0.0.0", false, true},
    {"V4_169_253_255_255", "169.253.255.255", false, true},
    {"V4_169_254_0_0", "169.254.0.0", true, false},
    {"V4_169_254_255_255", "169.254.255.255", true, false},
    {"V4_169_255_0_0", "169.255.0.0", false, true},
    {"V4_172_15_255_255", "172.15.255.255", false, true},
    {"V4_172_16_0_0", "172.16.0.0", true, false},
    {"V4_172_31_255_255", "172.31.255.255", true, false},
    {"V4_172_32_0_0", "172.32.0.0", false, true},
    {"V4_191_255_255_255", "191.255.255.255", false, true},
    {"V4_192_0_0_0", "192.0.0.0", true, false},
    {"V4_192_0_0_7", "192.0.0.7", true, false},
    {"V4_192_0_0_8", "192.0.0.8", false, true},
    {"V4_192_0_0_169", "192.0.0.169", false, true},
    {"V4_192_0_0_170", "192.0.0.170", true, false},
    {"V4_192_0_0_171", "192.0.0.171", true, false},
    {"V4_192_0_0_172", "192.0.0.172", false, true},
    {"V4_192_0_1_255", "192.0.1.255", false, true},
    {"V4_192_0_2_0", "192.0.2.0", true, false},
    {"V4_192_0_2_255", "192.0.2.255", true, false},
    {"V4_192_0_3_0", "192.0.3.0", false, true},
    {"V4_192_167_255_255", "192.167.255.255", false, true},
    {"V4_192_168_0_0", "192.168.0.0", true, false},
    {"V4_192_168_255_255", "192.168.255.255", true, false},
    {"V4_192_169_0_0", "192.169.0.0", false, true},
    {"V4_198_17_255_255", "198.17.255.255", false, true},
    {"V4_198_18_0_0", "198.18.0.0", true, false},
    {"V4_198_19_255_255", "198.19.255.255", true, false},
    {"V4_198_20_0_0", "198.20.0.0", false, true},
    {"V4_198_51_99_255", "198.51.99.255", false, true},
    {"V4_198_51_100_0", "198.51.100.0", true, false},
    {"V4_198_51_100_255", "198.51.100.255", true, false},
    {"V4_198_51_101_0", "198.51.101.0", false, true},
    {"V4_203_0_112_255", "203.0.112.255", false, true},
    {"V4_203_0_113_0", "203.0.113.0", true, false},
    {"V4_203_0_113_255", "203.0.113.255", true, false},
    {"V4_203_0_114_0", "203.0.114.0", false, true},
    {"V4_239_255_255_255", "239.255.255.255", false, true},
    {"V4_240_0_0_0", "240.0.0.0", true, false},
    {"V4_255_255_255_255", "255.255.255.255", true, false},
    {"V4_255_255_255_254", "255.255.255.254", true, false},
    {"V4_100_63_255_255", "100.63.255.255", false, true},
    {"V4_100_64_0_0", "100.64.0.0", false, false},
    {"V4_100_127_255_255", "100.127.255.255", false, false},
    {"V4_100_128_0_0", "100.128.0.0", false, true},
    {"V6__cc_", "::", true, false},
    {"V6__cc_1", "::1", true, false},
    {"V6__cc_2", "::2", false, true},
    {"V6__cc_fffe_ffff_ffff", "::fffe:ffff:ffff", false, true},
    {"V6__cc_1_0_0_0", "::1:0:0:0", false, true},
    {"V6_ff_ffff_ffff_ffff_ffff_ffff_ffff_ffff", "ff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false, true},
    {"V6_100_cc_", "100::", true, false},
    {"V6_100_cc_ffff_ffff_ffff_ffff", "100::ffff:ffff:ffff:ffff", true, false},
    {"V6_100_0_0_1_cc_", "100:0:0:1::", false, true},
    {"V6_2000_ffff_ffff_ffff_ffff_ffff_ffff_ffff", "2000:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false, true},
    {"V6_2001_cc_", "2001::", true, false},
    {"V6_2001_1ff_ffff_ffff_ffff_ffff_ffff_ffff", "2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff", true, false},
    {"V6_2001_200_cc_", "2001:200::", false, true},
    {"V6_2001_1_ffff_ffff_ffff_ffff_ffff_ffff", "2001:1:ffff:ffff:ffff:ffff:ffff:ffff", true, false},
    {"V6_2001_2_cc_", "2001:2::", true, false},
    {"V6_2001_2_0_ffff_ffff_ffff_ffff_ffff", "2001:2:0:ffff:ffff:ffff:ffff:ffff", true, false},
    {"V6_2001_2_1_cc_", "2001:2:1::", true, false},
    {"V6_2001_db7_ffff_ffff_ffff_ffff_ffff_ffff", "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", false, true},
    {"V6_2001_db8_cc_", "2001:db8::", true, false},
    {"V6_2001_db8_ffff_ffff_ffff_ffff_ffff_ffff", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", true, false},
    {"V6_2001_db9_cc_", "2001:db9::", false, true},
    {"V6_2001_f_ffff_ffff_ffff_ffff_ffff_ffff", "2001:f:ffff:ffff:ffff:ffff:ffff:ffff", true, false},
    {"V6_2001_10_cc_", "2001:10::", true, false},
    {"V6_2001_1f_ffff_ffff_ffff_ffff_ffff_ffff", "2001:1f:ffff:ffff:ffff:ffff:ffff:ffff", true, false},
    {"V6_2001_20_cc_", "2001:20::", true, false},
    {"V6_fbff_ffff_ffff_ffff_ffff_ffff_ffff_ffff", "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false, true},
    {"V6_fc00_cc_", "fc00::", true, false},
    {"V6_fdff_ffff_ffff_ffff_ffff_ffff_ffff_ffff", "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true, false},
    {"V6_fe00_cc_", "fe00::", false, true},
    {"V6_fe7f_ffff_ffff_ffff_ffff_ffff_ffff_ffff", "fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false, true},
    {"V6_fe80_cc_", "fe80::", true, false},
    {"V6_febf_ffff_ffff_ffff_ffff_ffff_ffff_ffff", "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true, false},
    {"V6_fec0_cc_", "fec0::", false, true},
    {"V6__cc_ffff_0_0_0_0", "::ffff:0.0.0.0", true, false},
    {"V6__cc_ffff_10_1_2_3", "::ffff:10.1.2.3", true, false},
    {"V6__cc_ffff_127_0_0_1", "::ffff:127.0.0.1", true, false},
    {"V6__cc_ffff_192_168_1_1", "::ffff:192.168.1.1", true, false},
    {"V6__cc_ffff_8_8_8_8", "::ffff:8.8.8.8", false, true},
    {"V6__cc_ffff_1_1_1_1", "::ffff:1.1.1.1", false, true},
    {"V6__cc_ffff_100_64_0_1", "::ffff:100.64.0.1", false, false},
    {"V6__cc_ffff_100_63_255_255", "::ffff:100.63.255.255", false, true},
    {"V6__cc_ffff_100_128_0_0", "::ffff:100.128.0.0", false, true},
    {"V6__cc_ffff_172_32_0_0", "::ffff:172.32.0.0", false, true},
    {"V6__cc_ffff_192_0_0_8", "::ffff:192.0.0.8", false, true},
    {"V6__cc_ffff_255_255_255_255", "::ffff:255.255.255.255", true, false},
    {"V6__cc_ffff_203_0_113_9", "::ffff:203.0.113.9", true, false},
    {"V6__cc_ffff_a01_203", "::ffff:a01:203", true, false},
    {"V4_100_64_0_1", "100.64.0.1", false, false},
    {"V4_192_0_0_9", "192.0.0.9", false, true},
    {"V4_192_0_0_10", "192.0.0.10", false, true},
    {"V4_192_0_0_255", "192.0.0.255", false, true},
    {"V6_2002_cc_1", "2002::1", false, true},
    {"V6_64_ff9b_1_cc_1", "64:ff9b:1::1", false, true},
    {"V6_2001_1_cc_1", "2001:1::1", true, false},
    {"V6_2001_3_cc_1", "2001:3::1", true, false},
    {"V6_2001_4_112_cc_1", "2001:4:112::1", true, false},
    {"V6_2001_20_cc_1", "2001:20::1", true, false},
    {"V6_2001_30_cc_1", "2001:30::1", true, false},
    {"V6_3fff_cc_1", "3fff::1", false, true},
    {"V6_64_ff9b_cc_808_808", "64:ff9b::808:808", false, true},
    {"V6__cc_102_304", "::102:304", false, true},
    {"V4_224_0_0_1", "224.0.0.1", false, true},
    {"V4_192_88_99_1", "192.88.99.1", false, true},
    {"V6_ff02_cc_1", "ff02::1", false, true},
    {"V6_fec0_cc_1", "fec0::1", false, true},
    {"V6_2606_4700_cc_1111", "2606:4700::1111", false, true},
    {"V6_2a00_1450_4001_cc_200e", "2a00:1450:4001::200e", false, true},
    {"V4_82_230_180_56", "82.230.180.56", false, true},
    {"V4_242_167_77_228", "242.167.77.228", true, false},
    {"V4_38_158_13_55", "38.158.13.55", false, true},
    {"V4_101_19_39_14", "101.19.39.14", false, true},
    {"V4_166_163_164_80", "166.163.164.80", false, true},
    {"V4_12_92_127_208", "12.92.127.208", false, true},
    {"V4_18_139_47_51", "18.139.47.51", false, true},
    {"V4_210_63_8_36", "210.63.8.36", false, true},
    {"V4_137_47_144_43", "137.47.144.43", false, true},
    {"V4_24_24_232_17", "24.24.232.17", false, true},
    {"V4_93_157_201_248", "93.157.201.248", false, true},
    {"V4_149_49_152_93", "149.49.152.93", false, true},
    {"V6_2001_36f6_81e7_4ef5_e8e2_5d94_ed9_475", "2001:36f6:81e7:4ef5:e8e2:5d94:ed9:475", false, true},
    {"V6_2001_6b0d_6f03_675a_1600_a35a_999_50d8", "2001:6b0d:6f03:675a:1600:a35a:999:50d8", false, true},
    {"V6_2001_8d11_1738_f7d9_3d9c_1724_11e2_b8f", "2001:8d11:1738:f7d9:3d9c:1724:11e2:b8f", false, true},
    {"V6_2001_90c1_d3ac_94af_f21_ddb6_6cad_4a26", "2001:90c1:d3ac:94af:f21:ddb6:6cad:4a26", false, true},
    {"V6_2001_a170_3926_3059_f28c_105d_1fb1_7c23", "2001:a170:3926:3059:f28c:105d:1fb1:7c23", false, true},
    {"V6_2001_fd6_f29d_da9_953f_48f1_a09f_76b5", "2001:fd6:f29d:da9:953f:48f1:a09f:76b5", false, true},
    {"V6_cb1_e29c_658c_da14_95e6_af5_93bd_4cf", "cb1:e29c:658c:da14:95e6:af5:93bd:4cf", false, true},
    {"V6_8e81_973e_bec_d7b0_3898_d190_f9eb_dacc", "8e81:973e:bec:d7b0:3898:d190:f9eb:dacc", false, true},
    {"V6_6b4c_b242_4a23_d596_2217_bead_dbc4_96cb", "6b4c:b242:4a23:d596:2217:bead:dbc4:96cb", false, true},
    {"V6_9227_6658_1e27_a1c0_8a6a_63ec_24ed_e6a4", "9227:6658:1e27:a1c0:8a6a:63ec:24ed:e6a4", false, true},
    {"V6_ae97_ba94_d0ed_a82f_8f6d_558_4ef8_aa38", "ae97:ba94:d0ed:a82f:8f6d:558:4ef8:aa38", false, true},
    {"V6_923a_7369_94e3_bf91_1a61_dbe2_2e44_158b", "923a:7369:94e3:bf91:1a61:dbe2:2e44:158b", false, true},
};

class ClassifyTest : public ::testing::TestWithParam<ClassifyCase> {};

TEST_P(ClassifyTest, MatchesPython) {
  const ClassifyCase& c = GetParam();
  const std::optional<IpAddress> ip = ParseIpAddress(c.text);
  ASSERT_TRUE(ip.has_value()) << c.text;
  EXPECT_EQ(IsPrivate(*ip), c.is_private) << c.text;
  EXPECT_EQ(IsGlobal(*ip), c.is_global) << c.text;
}

INSTANTIATE_TEST_SUITE_P(Python311, ClassifyTest, ::testing::ValuesIn(kClassifyCases), CaseName<ClassifyCase>);

// Project rule: ::ffff:a.b.c.d gets exactly the answers of a.b.c.d (including 100.64.0.0/10: neither).
TEST(ClassifyMappedTest, MappedAddressJudgedByIpv4) {
  int checked = 0;
  for (const ClassifyCase& c : kClassifyCases) {
    const std::optional<IpAddress> ip = ParseIpAddress(c.text);
    ASSERT_TRUE(ip.has_value()) << c.text;
    if (ip->is_v6) continue;
    SCOPED_TRACE(c.text);
    const std::optional<IpAddress> mapped = ParseIpAddress("::ffff:" + std::string(c.text));
    ASSERT_TRUE(mapped.has_value());
    EXPECT_TRUE(mapped->is_v6);
    EXPECT_EQ(IsPrivate(*mapped), c.is_private);
    EXPECT_EQ(IsGlobal(*mapped), c.is_global);
    ++checked;
  }
  EXPECT_GT(checked, 50);
}

// ---------------------------------------------------------------------------------------------------------------
// ParseIpAddress: accepted forms (with the bytes Python's .packed gives) and rejected inputs.

struct ParseCase {
  const char* name;
  const char* text;
  bool ok;
  bool is_v6;
  const char* hex;  // Python's ip_address(text).packed.hex().
};

void PrintTo(const ParseCase& c, std::ostream* os) { *os << '"' << c.text << '"'; }

constexpr ParseCase kParseCases[] = {
    {"Empty", "", false, false, ""},
    {"Space", " ", false, false, ""},
    {"LeadingSpace", " 1.2.3.4", false, false, ""},
    {"TrailingSpace", "1.2.3.4 ", false, false, ""},
    {"TrailingNewline", "1.2.3.4\n", false, false, ""},
    {"ThreeOctets", "1.2.3", false, false, ""},
    {"FiveOctets", "1.2.3.4.5", false, false, ""},
    {"LeadingZero", "01.2.3.4", false, false, ""},
    {"LeadingZeroLast", "1.2.3.04", false, false, ""},
    {"DoubleZero", "00.0.0.0", false, false, ""},
    {"OctetTooBig", "256.0.0.1", false, false, ""},
    {"OctetFourDigits", "1.2.3.1000", false, false, ""},
    {"OctetTooBigLast", "1.2.3.256", false, false, ""},
    {"LeadingZerosMiddle", "1.2.003.4", false, false, ""},
    {"DotAfterFourth", "1.2.3.4.", false, false, ""},
    {"ThreeDigitOctets", "192.168.100.255", true, false, "c0a864ff"},
    {"Zeros", "0.0.0.0", true, false, "00000000"},
    {"AllOnes", "255.255.255.255", true, false, "ffffffff"},
    {"Signed", "+1.2.3.4", false, false, ""},
    {"EmptyOctet", "1..2.3", false, false, ""},
    {"TrailingDot", "1.2.3.", false, false, ""},
    {"HexOctet", "0x1.2.3.4", false, false, ""},
    {"V4WithPrefix", "1.2.3.4/32", false, false, ""},
    {"V4WithScope", "1.2.3.4%eth0", false, false, ""},
    {"ArabicDigit", "\331\241.2.3.4", false, false, ""},
    {"V6Any", "::", true, true, "00000000000000000000000000000000"},
    {"V6TripleColon", ":::", false, false, ""},
    {"V6Loopback", "::1", true, true, "00000000000000000000000000000001"},
    {"V6TrailingCompress", "1::", true, true, "00010000000000000000000000000000"},
    {"V6Full", "1:2:3:4:5:6:7:8", true, true, "00010002000300040005000600070008"},
    {"V6CompressLast", "1:2:3:4:5:6:7::", true, true, "00010002000300040005000600070000"},
    {"V6CompressFirst", "::2:3:4:5:6:7:8", true, true, "00000002000300040005000600070008"},
    {"V6CompressNothing", "1:2:3:4:5:6:7::8", false, false, ""},
    {"V6TwoCompress", "1::2::3", false, false, ""},
    {"V6NineGroups", "1:2:3:4:5:6:7:8:9", false, false, ""},
    {"V6SevenGroups", "1:2:3:4:5:6:7", false, false, ""},
    {"V6LeadingColon", ":1:2:3:4:5:6:7:8", false, false, ""},
    {"V6TrailingColon", "1:2:3:4:5:6:7:8:", false, false, ""},
    {"V6LeadingColonCompress", ":1::2", false, false, ""},
    {"V6TrailingColonCompress", "1::2:", false, false, ""},
    {"V6Colon", ":", false, false, ""},
    {"V6BadHex", "::g", false, false, ""},
    {"V6BadHexFirst", "g::", false, false, ""},
    {"V6FiveHexDigits", "12345::", false, false, ""},
    {"V6FiveHexDigitsZeros", "::00000", false, false, ""},
    {"V6Exploded", "0000:0000:0000:0000:0000:0000:0000:0001", true, true, "00000000000000000000000000000001"},
    {"V6Upper", "FE80::1", true, true, "fe800000000000000000000000000001"},
    {"V6MixedCase", "fE80::aBcD", true, true, "fe80000000000000000000000000abcd"},
    {"V6Scope", "fe80::1%eth0", true, true, "fe800000000000000000000000000001"},
    {"V6ScopeNumeric", "fe80::1%1", true, true, "fe800000000000000000000000000001"},
    {"V6ScopeUtf8", "fe80::1%\303\251", true, true, "fe800000000000000000000000000001"},
    {"V6ScopeSpace", "fe80::1% ", true, true, "fe800000000000000000000000000001"},
    {"V6ScopeEmpty", "fe80::1%", false, false, ""},
    {"V6ScopeDoublePercent", "fe80::1%%", false, false, ""},
    {"V6ScopeTwoPercent", "fe80::1%a%b", false, false, ""},
    {"V6ScopeSlash", "fe80::1%a/b", false, false, ""},
    {"V6ScopeOnly", "%x", false, false, ""},
    {"V6CompressScope", "::%x", true, true, "00000000000000000000000000000000"},
    {"V6WithPrefix", "fe80::1/64", false, false, ""},
    {"Mapped", "::ffff:1.2.3.4", true, true, "00000000000000000000ffff01020304"},
    {"MappedUpper", "::FFFF:1.2.3.4", true, true, "00000000000000000000ffff01020304"},
    {"MappedHex", "::ffff:102:304", true, true, "00000000000000000000ffff01020304"},
    {"MappedLeadingZero", "::ffff:01.2.3.4", false, false, ""},
    {"MappedThreeOctets", "::ffff:1.2.3", false, false, ""},
    {"MappedFiveOctets", "::ffff:1.2.3.4.5", false, false, ""},
    {"MappedOctetTooBig", "::ffff:256.1.1.1", false, false, ""},
    {"MappedScope", "::ffff:1.2.3.4%eth0", true, true, "00000000000000000000ffff01020304"},
    {"CompatV4", "::1.2.3.4", true, true, "00000000000000000000000001020304"},
    {"V4SuffixFirst", "1.2.3.4::", false, false, ""},
    {"V4SuffixFull", "1:2:3:4:5:6:1.2.3.4", true, true, "00010002000300040005000601020304"},
    {"V4SuffixTooMany", "1:2:3:4:5:6:7:1.2.3.4", false, false, ""},
    {"V4SuffixCompress", "1:2:3:4:5::1.2.3.4", true, true, "00010002000300040005000001020304"},
    {"V4SuffixCompressNothing", "1:2:3:4:5:6::1.2.3.4", false, false, ""},
    {"V4NotLast", "::1.2.3.4:5", false, false, ""},
    {"V4SuffixOneColon", ":1.2.3.4", false, false, ""},
    {"Nat64", "64:ff9b::8.8.8.8", true, true, "0064ff9b000000000000000008080808"},
    {"Brackets", "[::1]", false, false, ""},
    {"V6LeadingSpace", " ::1", false, false, ""},
    {"V6TrailingTab", "::1\t", false, false, ""},
    {"V6Negative", "::-1", false, false, ""},
    {"V6HexPrefix", "::0x1", false, false, ""},
    {"V6Underscore", "::1_0", false, false, ""},
    {"V6CompressAllZeros", "0:0:0:0:0:0:0::", true, true, "00000000000000000000000000000000"},
    {"V6CompressNineParts", "::0:0:0:0:0:0:0", true, true, "00000000000000000000000000000000"},
    {"Letters", "aaaaa", false, false, ""},
    {"Hostname", "localhost", false, false, ""},
};

class ParseAddressTest : public ::testing::TestWithParam<ParseCase> {};

TEST_P(ParseAddressTest, MatchesPython) {
  const ParseCase& c = GetParam();
  const std::optional<IpAddress> ip = ParseIpAddress(c.text);
  ASSERT_EQ(ip.has_value(), c.ok) << '"' << c.text << '"';
  if (!ip.has_value()) return;
  EXPECT_EQ(ip->is_v6, c.is_v6);
  EXPECT_EQ(HexBytes(*ip), c.hex);
  if (!ip->is_v6) {
    for (int i = 4; i < 16; ++i) EXPECT_EQ(ip->bytes[i], 0) << "byte " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Python311, ParseAddressTest, ::testing::ValuesIn(kParseCases), CaseName<ParseCase>);

TEST(ParseIpAddressTest, Ipv4IsNotStoredMapped) {
  const std::optional<IpAddress> v4 = ParseIpAddress("1.2.3.4");
  const std::optional<IpAddress> mapped = ParseIpAddress("::ffff:1.2.3.4");
  ASSERT_TRUE(v4.has_value());
  ASSERT_TRUE(mapped.has_value());
  EXPECT_FALSE(v4->is_v6);
  EXPECT_TRUE(mapped->is_v6);
  EXPECT_NE(v4->bytes, mapped->bytes);
}

TEST(ParseIpAddressTest, DoesNotReadPastTheView) {
  const char buffer[] = "1.2.3.45";
  const std::optional<IpAddress> ip = ParseIpAddress(absl::string_view(buffer, 7));
  ASSERT_TRUE(ip.has_value());
  EXPECT_EQ(HexBytes(*ip), "01020304");
  const char v6_buffer[] = "fe80::1%eth0";
  EXPECT_FALSE(ParseIpAddress(absl::string_view(v6_buffer, 8)).has_value());  // "fe80::1%": empty scope.
  EXPECT_TRUE(ParseIpAddress(absl::string_view(v6_buffer, 7)).has_value());   // "fe80::1".
}

TEST(ParseIpAddressTest, EmbeddedNul) {
  using namespace std::string_literals;
  EXPECT_FALSE(ParseIpAddress("1.2.3.4\0"s).has_value());
  EXPECT_FALSE(ParseIpAddress("::1\0"s).has_value());
  // Python accepts any non-empty scope id without '%' or '/', including a NUL.
  EXPECT_TRUE(ParseIpAddress("fe80::1%\0x"s).has_value());
}

TEST(ParseIpAddressTest, LongScopeIdAccepted) {
  // Python puts no limit on the scope id; the address part can never be longer than 45 characters.
  EXPECT_TRUE(ParseIpAddress("fe80::1%" + std::string(500, 'x')).has_value());
  EXPECT_TRUE(ParseIpAddress("0000:0000:0000:0000:0000:ffff:255.255.255.255%" + std::string(100, '0')).has_value());
  EXPECT_FALSE(ParseIpAddress("fe80::" + std::string(500, '0') + "1").has_value());
  EXPECT_FALSE(ParseIpAddress(std::string(500, '1')).has_value());
}

// ---------------------------------------------------------------------------------------------------------------
// ParseIpNetwork: like ip_network(text, strict=False).

struct NetworkCase {
  const char* name;
  const char* text;
  bool ok;
  bool is_v6;
  const char* base_hex;  // Python's network_address.packed.hex().
  int prefix_len;
};

void PrintTo(const NetworkCase& c, std::ostream* os) { *os << '"' << c.text << '"'; }

constexpr NetworkCase kNetworkCases[] = {
    {"V4Cidr", "10.0.0.0/8", true, false, "0a000000", 8},
    {"V4HostBits", "10.1.2.3/8", true, false, "0a000000", 8},
    {"V4Bare", "10.1.2.3", true, false, "0a010203", 32},
    {"V4Slash0", "1.2.3.4/0", true, false, "00000000", 0},
    {"V4Slash32", "1.2.3.4/32", true, false, "01020304", 32},
    {"V4Slash33", "1.2.3.4/33", false, false, "", 0},
    {"V4LeadingZeroPrefix", "10.0.0.0/08", true, false, "0a000000", 8},
    {"V4EmptyPrefix", "10.0.0.0/", false, false, "", 0},
    {"V4TwoSlashes", "10.0.0.0/8/8", false, false, "", 0},
    {"V4PlusPrefix", "10.0.0.0/+8", false, false, "", 0},
    {"V4SpacePrefix", "10.0.0.0/ 8", false, false, "", 0},
    {"V4NegativePrefix", "10.0.0.0/-1", false, false, "", 0},
    {"V4FullwidthPrefix", "10.0.0.0/\357\274\230", false, false, "", 0},
    {"V4Netmask", "10.1.2.3/255.0.0.0", true, false, "0a000000", 8},
    {"V4Hostmask", "10.1.2.3/0.0.0.255", true, false, "0a010200", 24},
    {"V4NetmaskAllOnes", "10.1.2.3/255.255.255.255", true, false, "0a010203", 32},
    {"V4NetmaskZero", "10.1.2.3/0.0.0.0", true, false, "00000000", 0},
    {"V4NetmaskNonContiguous", "10.1.2.3/255.0.255.0", false, false, "", 0},
    {"V4NetmaskLeadingZero", "10.1.2.3/255.0.0.00", false, false, "", 0},
    {"V4BadAddress", "10.0.0/8", false, false, "", 0},
    {"V4LeadingZeroAddress", "010.0.0.0/8", false, false, "", 0},
    {"V4Slash31", "192.0.0.171/31", true, false, "c00000aa", 31},
    {"V6Cidr", "2001:db8::/32", true, true, "20010db8000000000000000000000000", 32},
    {"V6HostBits", "2001:db8:1:2::5/33", true, true, "20010db8000000000000000000000000", 33},
    {"V6Bare", "2001:db8::1", true, true, "20010db8000000000000000000000001", 128},
    {"V6Slash0", "ffff::1/0", true, true, "00000000000000000000000000000000", 0},
    {"V6Slash128", "::1/128", true, true, "00000000000000000000000000000001", 128},
    {"V6Slash129", "::1/129", false, false, "", 0},
    {"V6Slash7", "fdff::/7", true, true, "fc000000000000000000000000000000", 7},
    {"V6Slash65", "::ffff:ffff:ffff:ffff/65", true, true, "00000000000000008000000000000000", 65},
    {"V6Netmask", "2001:db8::/ffff:ffff::", false, false, "", 0},
    {"V6Scope", "fe80::1%eth0/64", true, true, "fe800000000000000000000000000000", 64},
    {"V6ScopeBare", "fe80::1%eth0", true, true, "fe800000000000000000000000000001", 128},
    {"V6MappedCidr", "::ffff:10.0.0.0/104", true, true, "00000000000000000000ffff0a000000", 104},
    {"V6Slash32Prefix", "2001:db8::/032", true, true, "20010db8000000000000000000000000", 32},
    {"V6EmptyPrefix", "::/", false, false, "", 0},
    {"V6BadAddress", "2001:db8:::/32", false, false, "", 0},
    {"Empty", "", false, false, "", 0},
    {"OnlySlash", "/", false, false, "", 0},
    {"OnlyPrefix", "/8", false, false, "", 0},
};

class ParseNetworkTest : public ::testing::TestWithParam<NetworkCase> {};

TEST_P(ParseNetworkTest, MatchesPython) {
  const NetworkCase& c = GetParam();
  const std::optional<IpNetwork> net = ParseIpNetwork(c.text);
  ASSERT_EQ(net.has_value(), c.ok) << '"' << c.text << '"';
  if (!net.has_value()) return;
  EXPECT_EQ(net->base.is_v6, c.is_v6);
  EXPECT_EQ(HexBytes(net->base), c.base_hex);
  EXPECT_EQ(net->prefix_len, c.prefix_len);
}

INSTANTIATE_TEST_SUITE_P(Python311, ParseNetworkTest, ::testing::ValuesIn(kNetworkCases), CaseName<NetworkCase>);

TEST(ParseIpNetworkTest, PythonIntDigitLimitOnPrefix) {
  // int() refuses strings of more than 4300 digits (sys.get_int_max_str_digits()), so ipaddress does too.
  const std::optional<IpNetwork> ok = ParseIpNetwork("1.0.0.0/" + std::string(4299, '0') + "8");
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->prefix_len, 8);
  EXPECT_FALSE(ParseIpNetwork("1.0.0.0/" + std::string(4300, '0') + "8").has_value());
  EXPECT_TRUE(ParseIpNetwork("::/" + std::string(4297, '0') + "128").has_value());
  EXPECT_FALSE(ParseIpNetwork("::/" + std::string(4298, '0') + "128").has_value());
}

// ---------------------------------------------------------------------------------------------------------------
// NetworkContains: like `ip_address(addr) in ip_network(net, strict=False)`.

struct ContainsCase {
  const char* name;
  const char* network;
  const char* address;
  bool contains;
};

void PrintTo(const ContainsCase& c, std::ostream* os) { *os << c.address << " in " << c.network; }

constexpr ContainsCase kContainsCases[] = {
    {"V4Inside", "10.0.0.0/8", "10.255.255.255", true},
    {"V4Below", "10.0.0.0/8", "9.255.255.255", false},
    {"V4Above", "10.0.0.0/8", "11.0.0.0", false},
    {"V4HostBitsNet", "10.1.2.3/8", "10.200.0.1", true},
    {"V4Slash0", "0.0.0.0/0", "255.255.255.255", true},
    {"V4Slash32Same", "1.2.3.4/32", "1.2.3.4", true},
    {"V4Slash32Other", "1.2.3.4/32", "1.2.3.5", false},
    {"V4Slash12Edge", "172.16.0.0/12", "172.31.255.255", true},
    {"V4Slash12Out", "172.16.0.0/12", "172.32.0.0", false},
    {"V4Netmask", "192.168.0.0/255.255.0.0", "192.168.44.1", true},
    {"V4Hostmask", "192.168.0.0/0.0.255.255", "192.169.0.0", false},
    {"V6Inside", "2001:db8::/32", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", true},
    {"V6Below", "2001:db8::/32", "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", false},
    {"V6Above", "2001:db8::/32", "2001:db9::", false},
    {"V6Slash0", "::/0", "ffff::1", true},
    {"V6Slash128", "::1/128", "::1", true},
    {"V6Slash128Other", "::1/128", "::2", false},
    {"V6Slash65In", "1:2:3:4:8000::/65", "1:2:3:4:ffff::1", true},
    {"V6Slash65Out", "1:2:3:4:8000::/65", "1:2:3:4:7fff::1", false},
    {"V6Slash64In", "fe80::/64", "fe80::1%eth0", true},
    {"V6Slash10Out", "fe80::/10", "fec0::1", false},
    {"V4NetV6Addr", "0.0.0.0/0", "::1", false},
    {"V6NetV4Addr", "::/0", "1.2.3.4", false},
    {"MappedNetV4Addr", "::ffff:0:0/96", "10.0.0.1", false},
    {"V4NetMappedAddr", "10.0.0.0/8", "::ffff:10.0.0.1", false},
    {"MappedNetMappedAddr", "::ffff:10.0.0.0/104", "::ffff:10.9.9.9", true},
};

class NetworkContainsTest : public ::testing::TestWithParam<ContainsCase> {};

TEST_P(NetworkContainsTest, MatchesPython) {
  const ContainsCase& c = GetParam();
  const std::optional<IpNetwork> net = ParseIpNetwork(c.network);
  const std::optional<IpAddress> ip = ParseIpAddress(c.address);
  ASSERT_TRUE(net.has_value()) << c.network;
  ASSERT_TRUE(ip.has_value()) << c.address;
  EXPECT_EQ(NetworkContains(*net, *ip), c.contains) << c.address << " in " << c.network;
}

INSTANTIATE_TEST_SUITE_P(Python311, NetworkContainsTest, ::testing::ValuesIn(kContainsCases), CaseName<ContainsCase>);

}  // namespace
}  // namespace detect::engine_internal
