// Every condition, combinator and comprehension of the detection grammar, with Panther's edge cases for missing
// keys, nulls, type mismatches and list indexes. Each case is one expression over one event.
#include <string>

#include "gtest/gtest.h"
#include "tests/testing/engine_fixtures.h"

namespace detect {
namespace {

struct ConditionCase {
  std::string name;
  std::string expression;  // One YAML list item, indented as under `Detection:`.
  std::string event;       // JSON
  bool expected;
};

class ConditionTest : public ::testing::TestWithParam<ConditionCase> {};

TEST_P(ConditionTest, Evaluates) {
  const ConditionCase& c = GetParam();
  auto rules = test_support::MustCompile(test_support::RuleWithDetection(c.expression));
  ASSERT_NE(rules, nullptr);
  EvalResult result = test_support::EvalJson(*rules, c.event);
  EXPECT_EQ(!result.matches.empty(), c.expected) << c.expression << "\non " << c.event;
}

std::string Cond(const std::string& key_spec, const std::string& condition, const std::string& operand = "") {
  return "  - " + key_spec + "\n    Condition: " + condition + (operand.empty() ? "" : "\n    " + operand);
}

const ConditionCase kCases[] = {
    // Equals / DoesNotEqual: Python ==, strict types, missing reads as None.
    {"EqualsString", Cond("Key: verb", "Equals", "Value: create"), R"({"verb":"create"})", true},
    {"EqualsIsCaseSensitive", Cond("Key: verb", "Equals", "Value: create"), R"({"verb":"Create"})", false},
    {"EqualsIntMatchesDouble", Cond("Key: n", "Equals", "Value: 1"), R"({"n":1.0})", true},
    {"EqualsNoStringNumberCoercion", Cond("Key: code", "Equals", "Value: '403'"), R"({"code":403})", false},
    {"EqualsNumberNotString", Cond("Key: code", "Equals", "Value: 403"), R"({"code":"403"})", false},
    {"EqualsBoolIsStrict", Cond("Key: b", "Equals", "Value: 1"), R"({"b":true})", false},
    {"EqualsBoolTrue", Cond("Key: b", "Equals", "Value: true"), R"({"b":true})", true},
    {"EqualsYaml12YesIsString", Cond("Key: b", "Equals", "Value: Yes"), R"({"b":"Yes"})", true},
    {"EqualsYaml12YesNotBool", Cond("Key: b", "Equals", "Value: Yes"), R"({"b":true})", false},
    {"EqualsLeadingZeroIsDecimal", Cond("Key: mode", "Equals", "Value: 0644"), R"({"mode":644})", true},
    {"EqualsNullMatchesMissing", Cond("Key: x", "Equals", "Value: null"), R"({})", true},
    {"EqualsNullMatchesNull", Cond("Key: x", "Equals", "Value: null"), R"({"x":null})", true},
    {"EqualsMissingIsFalse", Cond("Key: verb", "Equals", "Value: create"), R"({})", false},
    {"EqualsList", Cond("Key: ips", "Equals", "Value: ['127.0.0.1']"), R"({"ips":["127.0.0.1"]})", true},
    {"EqualsListLengthDiffers", Cond("Key: ips", "Equals", "Value: ['127.0.0.1']"), R"({"ips":["127.0.0.1","10.0.0.1"]})", false},
    {"DoesNotEqualMissingIsTrue", Cond("Key: verb", "DoesNotEqual", "Value: create"), R"({})", true},
    {"DoesNotEqualSame", Cond("Key: verb", "DoesNotEqual", "Value: create"), R"({"verb":"create"})", false},
    {"IEquals", Cond("Key: verb", "IEquals", "Value: CREATE"), R"({"verb":"Create"})", true},
    {"IEqualsNonString", Cond("Key: n", "IEquals", "Value: '1'"), R"({"n":1})", false},
    {"IDoesNotEqual", Cond("Key: verb", "IDoesNotEqual", "Value: CREATE"), R"({"verb":"get"})", true},
    // Prefix, suffix.
    {"StartsWith", Cond("Key: u", "StartsWith", "Value: 'system:'"), R"({"u":"system:node:a"})", true},
    {"StartsWithNonString", Cond("Key: u", "StartsWith", "Value: '1'"), R"({"u":12})", false},
    {"DoesNotStartWithMissing", Cond("Key: u", "DoesNotStartWith", "Value: 'system:'"), R"({})", true},
    {"IStartsWith", Cond("Key: u", "IStartsWith", "Value: 'SYSTEM:'"), R"({"u":"system:x"})", true},
    {"IDoesNotStartWith", Cond("Key: u", "IDoesNotStartWith", "Value: 'SYSTEM:'"), R"({"u":"system:x"})", false},
    {"EndsWith", Cond("Key: u", "EndsWith", "Value: .com"), R"({"u":"a@b.com"})", true},
    {"DoesNotEndWith", Cond("Key: u", "DoesNotEndWith", "Value: .com"), R"({"u":"a@b.org"})", true},
    {"IEndsWith", Cond("Key: u", "IEndsWith", "Value: .COM"), R"({"u":"a@b.com"})", true},
    {"IDoesNotEndWith", Cond("Key: u", "IDoesNotEndWith", "Value: .COM"), R"({"u":"a@b.com"})", false},
    // Contains / Has: Python `in`.
    {"ContainsSubstring", Cond("Key: m", "Contains", "Value: delete"), R"({"m":"bulk delete files"})", true},
    {"ContainsListMember", Cond("Key: l", "Contains", "Value: admin"), R"({"l":["user","admin"]})", true},
    {"ContainsListNoSubstring", Cond("Key: l", "Contains", "Value: adm"), R"({"l":["user","admin"]})", false},
    {"ContainsObjectKey", Cond("Key: o", "Contains", "Value: k"), R"({"o":{"k":1}})", true},
    {"ContainsBoolNotInString", Cond("Key: m", "Contains", "Value: true"), R"({"m":"true story"})", false},
    {"ContainsBoolInList", Cond("Key: l", "Contains", "Value: true"), R"({"l":[false,true]})", true},
    {"DoesNotContainMissing", Cond("Key: m", "DoesNotContain", "Value: x"), R"({})", true},
    {"Has", Cond("Key: m", "Has", "Value: Update"), R"({"m":"v1.Update"})", true},
    {"DoesNotHave", Cond("Key: m", "DoesNotHave", "Value: admin"), R"({"m":"administrator"})", false},
    {"IContains", Cond("Key: m", "IContains", "Value: CREATE"), R"({"m":"Created new admin"})", true},
    {"IContainsList", Cond("Key: l", "IContains", "Value: ADMIN"), R"({"l":["Admin"]})", true},
    {"IDoesNotContain", Cond("Key: m", "IDoesNotContain", "Value: CREATE"), R"({"m":"deleted"})", true},
    // Membership.
    {"IsIn", Cond("Key: v", "IsIn", "Values: [create, update]"), R"({"v":"update"})", true},
    {"IsInInts", Cond("Key: port", "IsIn", "Values: [80, 443]"), R"({"port":443})", true},
    {"IsInIntsNotStrings", Cond("Key: port", "IsIn", "Values: [80, 443]"), R"({"port":"443"})", false},
    {"IsNotInMissing", Cond("Key: v", "IsNotIn", "Values: [create]"), R"({})", true},
    {"IsNotIn", Cond("Key: v", "IsNotIn", "Values: [create]"), R"({"v":"create"})", false},
    {"IIsIn", Cond("Key: v", "IIsIn", "Values: [Create]"), R"({"v":"CREATE"})", true},
    {"IIsNotIn", Cond("Key: v", "IIsNotIn", "Values: [Create]"), R"({"v":"get"})", true},
    // Ordering: numbers only, boundaries inclusive where the name says so.
    {"GreaterThan", Cond("Key: n", "IsGreaterThan", "Value: 5"), R"({"n":6})", true},
    {"GreaterThanBoundary", Cond("Key: n", "IsGreaterThan", "Value: 5"), R"({"n":5})", false},
    {"GreaterThanOrEqualsBoundary", Cond("Key: n", "IsGreaterThanOrEquals", "Value: 10"), R"({"n":10})", true},
    {"LessThan", Cond("Key: n", "IsLessThan", "Value: 10"), R"({"n":9.5})", true},
    {"LessThanOrEqualsBoundary", Cond("Key: n", "IsLessThanOrEquals", "Value: 10"), R"({"n":10})", true},
    {"GreaterThanString", Cond("Key: n", "IsGreaterThan", "Value: 5"), R"({"n":"6"})", false},
    {"GreaterThanBool", Cond("Key: n", "IsGreaterThanOrEquals", "Value: 1"), R"({"n":true})", false},
    {"GreaterThanMissing", Cond("Key: n", "IsGreaterThan", "Value: 5"), R"({})", false},
    {"GreaterThanDouble", Cond("Key: n", "IsGreaterThan", "Value: 0.5"), R"({"n":1})", true},
    // Existence, null, emptiness.
    {"ExistsPresent", Cond("Key: x", "Exists"), R"({"x":0})", true},
    {"ExistsNull", Cond("Key: x", "Exists"), R"({"x":null})", false},
    {"ExistsMissing", Cond("Key: x", "Exists"), R"({})", false},
    {"DoesNotExistMissing", Cond("Key: x", "DoesNotExist"), R"({})", true},
    {"IsNullMissing", Cond("Key: x", "IsNull"), R"({})", true},
    {"IsNullNull", Cond("Key: x", "IsNull"), R"({"x":null})", true},
    {"IsNullEmptyString", Cond("Key: x", "IsNull"), R"({"x":""})", false},
    {"IsNotNull", Cond("Key: x", "IsNotNull"), R"({"x":""})", true},
    {"IsNullOrEmptyFalse", Cond("Key: x", "IsNullOrEmpty"), R"({"x":false})", true},
    {"IsNullOrEmptyEmptyList", Cond("Key: x", "IsNullOrEmpty"), R"({"x":[]})", true},
    {"IsNullOrEmptyEmptyObject", Cond("Key: x", "IsNullOrEmpty"), R"({"x":{}})", true},
    {"IsNullOrEmptyZero", Cond("Key: x", "IsNullOrEmpty"), R"({"x":0})", true},
    {"IsNullOrEmptyMissing", Cond("Key: x", "IsNullOrEmpty"), R"({})", true},
    {"IsNullOrEmptyNonEmpty", Cond("Key: x", "IsNullOrEmpty"), R"({"x":"a"})", false},
    {"IsNotNullOrEmpty", Cond("Key: x", "IsNotNullOrEmpty"), R"({"x":[1]})", true},
    // IP addresses (Python 3.11 ipaddress semantics).
    {"IsIPAddress", Cond("Key: ip", "IsIPAddress"), R"({"ip":"2001:db8::1"})", true},
    {"IsIPAddressNot", Cond("Key: ip", "IsIPAddress"), R"({"ip":"10.0.0"})", false},
    {"IsIPAddressValueFalse", Cond("Key: ip", "IsIPAddress", "Value: false"), R"({"ip":"nope"})", true},
    {"IsNotIPAddress", Cond("Key: ip", "IsNotIPAddress"), R"({"ip":"nope"})", true},
    {"PrivateRfc1918", Cond("Key: ip", "IsIPAddressPrivate"), R"({"ip":"172.16.0.1"})", true},
    {"PrivateValueTrue", Cond("Key: ip", "IsIPAddressPrivate", "Value: true"), R"({"ip":"10.1.2.3"})", true},
    {"PrivatePublicAddress", Cond("Key: ip", "IsIPAddressPrivate"), R"({"ip":"8.8.8.8"})", false},
    {"PrivateUnparsable", Cond("Key: ip", "IsIPAddressPrivate"), R"({"ip":"localhost"})", false},
    {"PrivateIpv6UniqueLocal", Cond("Key: ip", "IsIPAddressPrivate"), R"({"ip":"fd00::1"})", true},
    {"PublicGlobal", Cond("Key: ip", "IsIPAddressPublic"), R"({"ip":"44.238.1.2"})", true},
    {"PublicSharedAddressSpace", Cond("Key: ip", "IsIPAddressPublic"), R"({"ip":"100.64.0.1"})", false},
    {"PrivateSharedAddressSpace", Cond("Key: ip", "IsIPAddressPrivate"), R"({"ip":"100.64.0.1"})", false},
    {"PublicDocumentationRange", Cond("Key: ip", "IsIPAddressPublic"), R"({"ip":"192.0.2.10"})", false},
    {"NotPrivateUnparsable", Cond("Key: ip", "IsIPAddressNotPrivate"), R"({"ip":"bogus"})", true},
    {"NotPublic", Cond("Key: ip", "IsIPAddressNotPublic"), R"({"ip":"10.0.0.1"})", true},
    {"InCidr", Cond("Key: ip", "IsIPAddressInCIDR", "Values: [10.0.0.0/8, 'fd00::/8']"), R"({"ip":"10.9.9.9"})", true},
    {"InCidrV6", Cond("Key: ip", "IsIPAddressInCIDR", "Value: 'fd00::/8'"), R"({"ip":"fd12::1"})", true},
    {"NotInCidr", Cond("Key: ip", "IsIPAddressNotInCIDR", "Value: 10.0.0.0/8"), R"({"ip":"11.0.0.1"})", true},
    // Regular expressions (RE2, unanchored).
    {"Matches", Cond("Key: uri", "Matches", R"(Value: 'command=tar(&|$)')"), R"({"uri":"/exec?command=tar&command=cf"})", true},
    {"MatchesAnchored", Cond("Key: uri", "Matches", "Value: '^/api$'"), R"({"uri":"/api/v1"})", false},
    {"DoesNotMatch", Cond("Key: uri", "DoesNotMatch", "Value: secret"), R"({"uri":"/api"})", true},
    {"IMatches", Cond("Key: uri", "IMatches", "Value: SECRET"), R"({"uri":"/Secrets"})", true},
    {"MatchesNonString", Cond("Key: uri", "Matches", "Value: '1'"), R"({"uri":1})", false},
    // Set intersection.
    {"Intersects", Cond("KeyPath: caps", "Intersects", "Values: [SYS_ADMIN, BPF]"), R"({"caps":["NET_RAW","BPF"]})", true},
    {"IntersectsNone", Cond("KeyPath: caps", "Intersects", "Values: [SYS_ADMIN]"), R"({"caps":["NET_RAW"]})", false},
    {"IntersectsScalar", Cond("KeyPath: caps", "Intersects", "Values: [SYS_ADMIN]"), R"({"caps":"SYS_ADMIN"})", true},
    {"DoesNotIntersect", Cond("KeyPath: caps", "DoesNotIntersect", "Values: [SYS_ADMIN]"), R"({"caps":["NET_RAW"]})", true},
    // Paths.
    {"KeyIsLiteral", Cond("Key: a.b", "Equals", "Value: 1"), R"({"a.b":1,"a":{"b":2}})", true},
    {"KeyPathNested", Cond("KeyPath: a.b", "Equals", "Value: 2"), R"({"a.b":1,"a":{"b":2}})", true},
    {"KeyPathIndex", Cond("KeyPath: 'l[1].x'", "Equals", "Value: 2"), R"({"l":[{"x":1},{"x":2}]})", true},
    {"KeyPathNegativeIndex", Cond("KeyPath: 'l[-1]'", "Equals", "Value: c"), R"({"l":["a","b","c"]})", true},
    {"KeyPathIndexOutOfRange", Cond("KeyPath: 'l[5]'", "IsNull"), R"({"l":["a"]})", true},
    {"KeyPathIndexOnObject", Cond("KeyPath: 'o[0]'", "IsNull"), R"({"o":{"0":1}})", true},
    {"KeyPathWildcard", Cond("KeyPath: 'l[*].x'", "Contains", "Value: 2"), R"({"l":[{"x":1},{"x":2}]})", true},
    {"KeyPathNestedWildcardFlattens", Cond("KeyPath: 'r[*].res[*]'", "Contains", "Value: nodes/proxy"),
     R"({"r":[{"res":["pods"]},{"res":["nodes/proxy"]}]})", true},
    {"KeyPathWildcardOverScalar", Cond("KeyPath: 'l[*].x'", "IsNull"), R"({"l":"x"})", true},
    {"KeyPathQuotedKey", Cond(R"(KeyPath: 'annotations["authorization.k8s.io/decision"]')", "Equals", "Value: allow"),
     R"({"annotations":{"authorization.k8s.io/decision":"allow"}})", true},
    {"DollarPrefix", Cond("KeyPath: $.a.b", "Equals", "Value: 2"), R"({"a":{"b":2}})", true},
    {"DeepKeyWithDots", Cond("DeepKey: [annotations, authorization.k8s.io/decision]", "Equals", "Value: allow"),
     R"({"annotations":{"authorization.k8s.io/decision":"allow"}})", true},
    {"DeepKeyIndex", Cond("DeepKey: [extra, arn, 0]", "Contains", "Value: assumed-role"),
     R"({"extra":{"arn":["arn:aws:sts::1:assumed-role/x"]}})", true},
    {"DeepKeyThroughScalar", Cond("DeepKey: [a, b]", "IsNull"), R"({"a":"s"})", true},
    {"Enrichment", "  - Enrichment: {Table: ipinfo, Selector: src, FieldPath: city}\n    Condition: Equals\n    Value: Boise",
     R"({"p_enrichment":{"ipinfo":{"src":{"city":"Boise"}}}})", true},
    {"DuplicateJsonKeyLastWins", Cond("Key: v", "Equals", "Value: b"), R"({"v":"a","v":"b"})", true},
    {"DuplicateObjectKeyLastWinsWhole", Cond("KeyPath: o.a", "IsNull"), R"({"o":{"a":1},"o":{"b":2}})", true},
    {"DuplicateObjectKeyLastWinsNested", Cond("KeyPath: o.b", "Equals", "Value: 2"), R"({"o":{"a":1},"o":{"b":2}})", true},
    // Multi-key comparisons.
    {"MultiKeyEquals", "  - Condition: Equals\n    Values:\n      - Key: a\n      - DeepKey: [b, c]",
     R"({"a":"x","b":{"c":"x"}})", true},
    {"MultiKeyDoesNotEqual", "  - Condition: DoesNotEqual\n    Values:\n      - Key: a\n      - Key: b",
     R"({"a":"x","b":"y"})", true},
    {"MultiKeyGreaterThan", "  - Condition: IsGreaterThan\n    Values:\n      - Key: a\n      - Key: b",
     R"({"a":3,"b":2})", true},
    {"MultiKeyStartsWith", "  - Condition: StartsWith\n    Values:\n      - Key: a\n      - Key: b",
     R"({"a":"abc","b":"ab"})", true},
    // Combinators.
    {"AllTrue", "  - All:\n      - {Key: a, Condition: Equals, Value: 1}\n      - {Key: b, Condition: Equals, Value: 2}",
     R"({"a":1,"b":2})", true},
    {"AllOneFalse", "  - All:\n      - {Key: a, Condition: Equals, Value: 1}\n      - {Key: b, Condition: Equals, Value: 2}",
     R"({"a":1,"b":3})", false},
    {"AnyOne", "  - Any:\n      - {Key: a, Condition: Equals, Value: 1}\n      - {Key: b, Condition: Equals, Value: 2}",
     R"({"a":0,"b":2})", true},
    {"AnyNone", "  - Any:\n      - {Key: a, Condition: Equals, Value: 1}\n      - {Key: b, Condition: Equals, Value: 2}",
     R"({})", false},
    {"OnlyOneExactlyOne", "  - OnlyOne:\n      - {Key: a, Condition: Exists}\n      - {Key: b, Condition: Exists}",
     R"({"a":1})", true},
    {"OnlyOneBoth", "  - OnlyOne:\n      - {Key: a, Condition: Exists}\n      - {Key: b, Condition: Exists}",
     R"({"a":1,"b":2})", false},
    {"OnlyOneNeither", "  - OnlyOne:\n      - {Key: a, Condition: Exists}\n      - {Key: b, Condition: Exists}",
     R"({})", false},
    {"NoneHolds", "  - None:\n      - {Key: a, Condition: Exists}\n      - {Key: b, Condition: Exists}", R"({})", true},
    {"NoneOneHolds", "  - None:\n      - {Key: a, Condition: Exists}", R"({"a":1})", false},
    {"AlwaysTrue", "  - Condition: AlwaysTrue", R"({})", true},
    {"AlwaysFalse", "  - Condition: AlwaysFalse", R"({})", false},
    // List comprehensions: expressions ANDed per element, keys relative to the element.
    {"AnyElement", "  - Key: l\n    Condition: AnyElement\n    Expressions:\n      - {Key: a, Condition: Equals, Value: 1}\n      - {Key: b, Condition: Equals, Value: 2}",
     R"({"l":[{"a":1,"b":0},{"a":1,"b":2}]})", true},
    {"AnyElementNeedsAllExpressions", "  - Key: l\n    Condition: AnyElement\n    Expressions:\n      - {Key: a, Condition: Equals, Value: 1}\n      - {Key: b, Condition: Equals, Value: 2}",
     R"({"l":[{"a":1,"b":0},{"a":0,"b":2}]})", false},
    {"AnyElementMissing", "  - Key: l\n    Condition: AnyElement\n    Expressions:\n      - {Key: a, Condition: Exists}", R"({})", false},
    {"AllElements", "  - Key: l\n    Condition: AllElements\n    Expressions:\n      - {Key: a, Condition: Exists}",
     R"({"l":[{"a":1},{"a":2}]})", true},
    {"AllElementsOneFails", "  - Key: l\n    Condition: AllElements\n    Expressions:\n      - {Key: a, Condition: Exists}",
     R"({"l":[{"a":1},{}]})", false},
    {"AllElementsEmptyList", "  - Key: l\n    Condition: AllElements\n    Expressions:\n      - {Key: a, Condition: Exists}",
     R"({"l":[]})", true},
    {"AllElementsMissing", "  - Key: l\n    Condition: AllElements\n    Expressions:\n      - {Key: a, Condition: Exists}",
     R"({})", false},
    {"NoElement", "  - Key: l\n    Condition: NoElement\n    Expressions:\n      - {Key: a, Condition: Exists}",
     R"({"l":[{"b":1}]})", true},
    {"NoElementMissing", "  - Key: l\n    Condition: NoElement\n    Expressions:\n      - {Key: a, Condition: Exists}",
     R"({"l":null})", true},
    {"OnlyOneElement", "  - Key: l\n    Condition: OnlyOneElement\n    Expressions:\n      - {Key: a, Condition: Exists}",
     R"({"l":[{"a":1},{"b":1}]})", true},
    {"OnlyOneElementTwo", "  - Key: l\n    Condition: OnlyOneElement\n    Expressions:\n      - {Key: a, Condition: Exists}",
     R"({"l":[{"a":1},{"a":1}]})", false},
    {"ElementItselfDollar", "  - Key: ips\n    Condition: AllElements\n    Expressions:\n      - {KeyPath: $, Condition: IsIPAddressPublic}",
     R"({"ips":["8.8.8.8","1.1.1.1"]})", true},
    {"ElementItselfDollarOneFails", "  - Key: ips\n    Condition: AllElements\n    Expressions:\n      - {KeyPath: $, Condition: IsIPAddressPublic}",
     R"({"ips":["8.8.8.8","10.0.0.1"]})", false},
    {"NestedComprehension", "  - Key: rules\n    Condition: AnyElement\n    Expressions:\n      - Key: resources\n        Condition: AnyElement\n        Expressions:\n          - {KeyPath: $, Condition: Equals, Value: '*'}",
     R"({"rules":[{"resources":["pods"]},{"resources":["*"]}]})", true},
    // Derived Panther fields.
    {"DerivedAnyIpAddresses", Cond("Key: p_any_ip_addresses", "Contains", "Value: 8.8.8.8"),
     R"({"sourceIPs":["8.8.8.8","not-an-ip"]})", true},
    {"DerivedAnyUsernames", Cond("Key: p_any_usernames", "Contains", "Value: alice"),
     R"({"user":{"username":"bob"},"impersonatedUser":{"username":"alice"}})", true},
    {"DerivedAccountIds", Cond("Key: p_any_aws_account_ids", "Contains", "Value: '123412341234'"),
     R"({"user":{"extra":{"arn":["arn:aws:iam::123412341234:role/Dev"]}}})", true},
    {"EventFieldWinsOverDerived", Cond("Key: p_any_ip_addresses", "Contains", "Value: 8.8.8.8"),
     R"({"sourceIPs":["8.8.8.8"],"p_any_ip_addresses":["1.1.1.1"]})", false},
};

INSTANTIATE_TEST_SUITE_P(Grammar, ConditionTest, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<ConditionCase>& info) { return info.param.name; });

}  // namespace
}  // namespace detect
