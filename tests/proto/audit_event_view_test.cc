// The typed AuditEvent views (over a parsed message, and over its serialized bytes) read exactly like the
// same event parsed from JSON, and rules decide the same on all three.
#include "tests/testing/audit_event_view.h"

#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/compiler.h"
#include "engine/json_event.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proto/audit_event_json.h"
#include "proto/audit_event_wire.h"
#include "tests/proto/value_canon.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_files.h"

namespace detect {
namespace {

using ::detect::test_support::IsOk;
using ::testing::UnorderedElementsAre;

// A rich event: every kind of field the schema has (nested Structs, lists of objects, maps, impersonation).
constexpr char kRichEvent[] = R"json({"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse",
"auditID":"a-1","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/kube-system/pods","verb":"create",
"user":{"username":"alice","uid":"u-1","groups":["dev","system:authenticated"],
        "extra":{"arn":["arn:aws:sts::123:assumed-role/Dev/alice"],"sessionName":["alice"]}},
"impersonatedUser":{"username":"system:serviceaccount:kube-system:default"},
"sourceIPs":["203.0.113.9","10.0.0.1"],"userAgent":"kubectl/v1.29",
"objectRef":{"resource":"pods","namespace":"kube-system","name":"x","apiVersion":"v1","subresource":"exec"},
"responseStatus":{"metadata":{},"status":"Failure","reason":"Forbidden","code":403,"details":{"kind":"pods"}},
"requestObject":{"spec":{"hostPID":true,"replicas":3,"ratio":2.5,"nothing":null,
  "containers":[{"name":"c","securityContext":{"privileged":true,"runAsUser":0},"command":["sh","-c"]}]}},
"responseObject":{"metadata":{"name":"x"}},
"requestReceivedTimestamp":"2024-11-13T18:00:00.000000Z","stageTimestamp":"2024-11-13T18:00:00.100000Z",
"annotations":{"authorization.k8s.io/decision":"forbid","authorization.k8s.io/reason":""},
"p_log_type":"Amazon.EKS.Audit","p_source_label":"prod","p_any_ip_addresses":["203.0.113.9"],
"p_enrichment":{"tor_exit_nodes":{"p_match":"203.0.113.9"}}})json";

using ::detect::test_support::Canon;
using ::detect::test_support::SeedEvents;

std::string CanonJson(const std::string& json) {
  JsonEventParser parser;
  absl::StatusOr<Value> v = parser.Parse(absl::StrCat("{\"v\":", json, "}"));
  return v.ok() ? Canon(v->Get("v")) : "<invalid: " + json + ">";
}

TEST(AuditEventViewTest, TypedViewsReadLikeJson) {
  std::vector<std::string> events = SeedEvents();
  ASSERT_EQ(events.size(), 4u);
  events.push_back(kRichEvent);
  JsonEventParser parser;
  for (const std::string& json : events) {
    v1::AuditEvent typed;
    ASSERT_THAT(AuditEventFromJson(json, &typed), IsOk());
    absl::StatusOr<Value> parsed = parser.Parse(json);
    ASSERT_THAT(parsed, IsOk());
    const std::string expected = Canon(*parsed);
    EXPECT_EQ(Canon(AuditEventValue(typed)), expected) << json;
    const std::string wire = typed.SerializeAsString();
    ASSERT_THAT(ValidateAuditEventWire(wire), IsOk());
    EXPECT_EQ(Canon(AuditEventWireValue(wire)), expected) << json;
    AuditEventWire indexed;
    ASSERT_THAT(indexed.Reset(wire), IsOk());
    EXPECT_EQ(Canon(indexed.root()), expected) << json;
  }
}

TEST(AuditEventWireTest, IndexedRootHandlesRepeatedFieldsSplitAcrossTheMessage) {
  // Occurrences of sourceIPs (field 10) with another field between them, and verb (7) written twice: the
  // list holds both addresses, the scalar reads as its last occurrence, as a parser would merge them.
  v1::AuditEvent a, b;
  a.add_source_ips("10.0.0.1");
  a.set_verb("get");
  b.add_source_ips("10.0.0.2");
  b.set_verb("list");
  const std::string wire = a.SerializeAsString() + b.SerializeAsString();
  v1::AuditEvent merged;
  ASSERT_TRUE(merged.ParseFromString(wire));
  AuditEventWire indexed;
  ASSERT_THAT(indexed.Reset(wire), IsOk());
  EXPECT_EQ(Canon(indexed.root()), Canon(AuditEventValue(merged)));
  EXPECT_EQ(indexed.root().Get("sourceIPs").Size(), 2u);
  EXPECT_EQ(indexed.root().Get("verb").string_value(), "list");
  EXPECT_FALSE(indexed.Reset(wire.substr(0, wire.size() - 1)).ok());
  EXPECT_TRUE(indexed.root().Get("verb").is_missing()) << "a failed Reset leaves an empty event";
}

TEST(AuditEventWireTest, PresenceListsAndDefaultsLikeTheParsedMessage) {
  v1::AuditEvent e;
  e.set_verb("");
  e.mutable_response_status()->set_code(-5);  // Negative int32: a 10-byte varint.
  e.mutable_user();                            // Present but empty.
  (*e.mutable_annotations())[""] = "";         // Serialized without key and value by some writers.
  e.mutable_request_object();                  // {}
  const std::string wire = e.SerializeAsString();
  ASSERT_THAT(ValidateAuditEventWire(wire), IsOk());
  const Value root = AuditEventWireValue(wire);
  EXPECT_EQ(Canon(root), Canon(AuditEventValue(e)));
  EXPECT_TRUE(root.Get("verb").is_string());
  EXPECT_EQ(root.Get("responseStatus").Get("code").int_value(), -5);
  EXPECT_TRUE(root.Get("user").is_object());
  EXPECT_EQ(root.Get("user").Size(), 0u);
  EXPECT_TRUE(root.Get("sourceIPs").is_missing());
  EXPECT_TRUE(root.Get("requestObject").is_object());
  EXPECT_TRUE(root.Get("auditID").is_missing());
  // A map entry with neither key nor value (field 18, length 0): key "" and value "".
  const std::string bare = std::string("\x92\x01\x00", 3);
  ASSERT_THAT(ValidateAuditEventWire(bare), IsOk());
  EXPECT_EQ(AuditEventWireValue(bare).Get("annotations").Get("").string_value(), "");
}

TEST(AuditEventWireTest, MalformedBytesAreRejectedAndNeverCrashAReader) {
  v1::AuditEvent e;
  ASSERT_THAT(AuditEventFromJson(kRichEvent, &e), IsOk());
  const std::string wire = e.SerializeAsString();
  int rejected = 0;
  for (size_t cut = 0; cut < wire.size(); ++cut) {  // Every truncation.
    const std::string part = wire.substr(0, cut);
    if (!ValidateAuditEventWire(part).ok()) ++rejected;
    (void)Canon(AuditEventWireValue(part));
  }
  EXPECT_GT(rejected, static_cast<int>(wire.size() / 2));
  uint32_t seed = 7;
  for (int i = 0; i < 2000; ++i) {  // Deterministic byte flips.
    std::string bent = wire;
    seed = seed * 1103515245 + 12345;
    bent[(seed >> 8) % bent.size()] ^= static_cast<char>(1 + (seed >> 20) % 255);
    (void)ValidateAuditEventWire(bent);
    (void)Canon(AuditEventWireValue(bent));
  }
  v1::AuditEvent bad_utf8;
  bad_utf8.set_verb("get");
  std::string invalid = bad_utf8.SerializeAsString();
  invalid.back() = '\xff';
  EXPECT_THAT(ValidateAuditEventWire(invalid).message(), ::testing::HasSubstr("not valid UTF-8"));
  google::protobuf::Struct inner;  // requestObject nested 300 Structs deep: over max_event_depth (256 levels).
  for (int i = 0; i < 300; ++i) {
    google::protobuf::Struct outer;
    *(*outer.mutable_fields())["x"].mutable_struct_value() = inner;
    inner = outer;
  }
  v1::AuditEvent deep_event;
  *deep_event.mutable_request_object() = inner;
  EXPECT_THAT(ValidateAuditEventWire(deep_event.SerializeAsString()).message(), ::testing::HasSubstr("too deep"));
}

// A map entry may carry its key or value more than once; protobuf's parser reads every occurrence and refuses
// the event if any is malformed, though only the last is kept. The validator must too (found by
// audit_event_proto_fuzzer; tests/fuzz/regressions/audit_event_proto_fuzzer/).
TEST(AuditEventWireTest, EveryOccurrenceInAMapEntryIsValidated) {
  // requestObject {"a": <value>} whose entry has two values: a struct_value claiming 5 bytes of 1, then false.
  const std::string bad_first_value("\x72\x0e\x0a\x0c\x0a\x01\x61\x12\x03\x2a\x05\x00\x12\x02\x20\x00", 16);
  // requestObject whose entry has two keys, the first "\xff" (not UTF-8), the last "x".
  const std::string bad_first_key("\x72\x0d\x0a\x0b\x0a\x01\xff\x0a\x01\x78\x12\x03\x1a\x01\x78", 15);
  for (const std::string& bytes : {bad_first_value, bad_first_key}) {
    v1::AuditEvent parsed;
    EXPECT_FALSE(parsed.ParseFromString(bytes)) << "protobuf accepts it: the test input is wrong";
    EXPECT_FALSE(ValidateAuditEventWire(bytes).ok());
    (void)Canon(AuditEventWireValue(bytes));  // Unvalidated reads never crash.
  }
  EXPECT_THAT(ValidateAuditEventWire(bad_first_key).message(), ::testing::HasSubstr("map key is not valid UTF-8"));
  // The same entry with its first key made valid is accepted by both.
  std::string good_key = bad_first_key;
  good_key[6] = 'y';
  v1::AuditEvent parsed;
  ASSERT_TRUE(parsed.ParseFromString(good_key));
  EXPECT_THAT(ValidateAuditEventWire(good_key), IsOk());
}

// A map entry's key of another wire type than a string's: protobuf's parser takes it for an unknown field of
// the entry and keeps the key read as a string; the validator refuses it, as it refuses every known field of
// the wrong wire type, and says so in the words audit_event_proto_fuzzer accepts as that known difference
// (found by it: tests/fuzz/regressions/audit_event_proto_fuzzer/map_entry_key_wire_type_varint.pb).
TEST(AuditEventWireTest, AMapKeyOfAnotherWireTypeIsRefusedAsAWireTypeMismatch) {
  // requestObject {"a": "x"} whose entry also holds field 1 as a varint (2).
  const std::string bytes("\x72\x0c\x0a\x0a\x0a\x01\x61\x08\x02\x12\x03\x1a\x01\x78", 14);
  v1::AuditEvent parsed;
  ASSERT_TRUE(parsed.ParseFromString(bytes)) << "protobuf refuses it: the test input is wrong";
  EXPECT_EQ(parsed.request_object().fields().at("a").string_value(), "x");
  EXPECT_THAT(ValidateAuditEventWire(bytes).message(), ::testing::HasSubstr("a map key has wire type 0"));
}

TEST(AuditEventViewTest, PresenceAndNames) {
  v1::AuditEvent e;
  e.set_verb("");
  e.set_audit_id("id");
  e.mutable_response_status()->set_code(200);
  const Value root = AuditEventValue(e);
  EXPECT_TRUE(root.Get("verb").is_string());  // Set to "": present, unlike an absent key.
  EXPECT_EQ(root.Get("verb").string_value(), "");
  EXPECT_TRUE(root.Get("userAgent").is_missing());
  EXPECT_TRUE(root.Get("user").is_missing());
  EXPECT_TRUE(root.Get("sourceIPs").is_missing());  // Empty repeated: missing.
  EXPECT_TRUE(root.Get("annotations").is_missing());
  EXPECT_EQ(root.Get("auditID").string_value(), "id");
  EXPECT_TRUE(root.Get("audit_id").is_missing());  // Proto names are not keys.
  EXPECT_TRUE(root.Get("responseStatus").Get("code").is_int());
  EXPECT_EQ(root.Get("responseStatus").Get("code").int_value(), 200);
}

TEST(AuditEventViewTest, ListsStructNumbersAndMaps) {
  v1::AuditEvent e;
  ASSERT_THAT(AuditEventFromJson(kRichEvent, &e), IsOk());
  const Value root = AuditEventValue(e);
  EXPECT_EQ(root.Get("sourceIPs").At(-1).string_value(), "10.0.0.1");
  EXPECT_TRUE(root.Get("sourceIPs").At(2).is_missing());
  const Value spec = root.Get("requestObject").Get("spec");
  EXPECT_TRUE(spec.Get("replicas").is_int());
  EXPECT_TRUE(spec.Get("ratio").is_double());
  EXPECT_TRUE(spec.Get("nothing").is_null());
  EXPECT_TRUE(spec.Get("containers").At(0).Get("securityContext").Get("privileged").bool_value());
  EXPECT_EQ(root.Get("annotations").Get("authorization.k8s.io/decision").string_value(), "forbid");
  EXPECT_EQ(root.Get("user").Get("extra").Get("arn").At(0).string_value(),
            "arn:aws:sts::123:assumed-role/Dev/alice");
  EXPECT_TRUE(root.Get("user").Get("extra").Get("none").is_missing());
}

void CollectMapFields(const google::protobuf::Descriptor* d, std::set<const google::protobuf::Descriptor*>* seen,
                      std::vector<std::string>* out) {
  if (!seen->insert(d).second || d->file()->package() != "detect.v1") return;
  for (int i = 0; i < d->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* f = d->field(i);
    if (f->is_map()) out->push_back(f->full_name());
    else if (f->message_type() != nullptr) CollectMapFields(f->message_type(), seen, out);
  }
}

// Map fields are read through generated accessors registered by name in audit_event_view.cc; a new map field
// in the schema must be registered there (and added here).
TEST(AuditEventViewTest, EveryMapFieldHasAnAccessor) {
  std::set<const google::protobuf::Descriptor*> seen;
  std::vector<std::string> maps;
  CollectMapFields(v1::AuditEvent::descriptor(), &seen, &maps);
  EXPECT_THAT(maps, UnorderedElementsAre("detect.v1.AuditEvent.annotations", "detect.v1.UserInfo.extra"));
}

TEST(AuditEventViewTest, UnknownJsonFieldsAreDroppedAndBadTypesRejected) {
  v1::AuditEvent e;
  EXPECT_THAT(AuditEventFromJson(R"({"verb":"get","clusterName":"x"})", &e), IsOk());
  EXPECT_TRUE(AuditEventValue(e).Get("clusterName").is_missing());
  EXPECT_FALSE(AuditEventFromJson(R"({"responseStatus":{"code":"forbidden"}})", &e).ok());
  EXPECT_FALSE(AuditEventFromJson("not json", &e).ok());
}

// The bundled rules decide typed and JSON events alike, down to titles, dedup strings and summaries.
TEST(AuditEventViewTest, RulesDecideTypedEventsLikeJson) {
  RuleSetBuilder builder;
  ASSERT_THAT(builder.AddPath("rules"), IsOk());
  CompileResult compiled = std::move(builder).Build();
  ASSERT_TRUE(compiled.IsValid()) << compiled.FormatIssues();
  std::shared_ptr<const RuleSet> rules = compiled.ReleaseRuleSet();
  JsonEventParser parser;
  EvalScratch scratch;
  std::vector<std::string> events = SeedEvents();
  events.push_back(kRichEvent);
  int matched = 0;
  for (const std::string& json : events) {
    EvalResult from_json, from_typed;
    ASSERT_THAT(rules->EvaluateJson(json, "", parser, scratch, from_json), IsOk());
    v1::AuditEvent typed;
    ASSERT_THAT(AuditEventFromJson(json, &typed), IsOk());
    rules->Evaluate(AuditEventValue(typed), "", scratch, from_typed);
    const std::string wire = typed.SerializeAsString();
    EvalResult from_wire;
    rules->Evaluate(AuditEventWireValue(wire), "", scratch, from_wire);
    ASSERT_EQ(from_json.matches.size(), from_typed.matches.size()) << json;
    ASSERT_EQ(from_json.matches.size(), from_wire.matches.size()) << json;
    for (size_t i = 0; i < from_json.matches.size(); ++i) {
      const Match& a = from_json.matches[i];
      const Match& w = from_wire.matches[i];
      EXPECT_EQ(a.title, w.title);
      EXPECT_EQ(a.dedup, w.dedup);
      EXPECT_EQ(a.severity, w.severity);
      EXPECT_EQ(CanonJson(a.alert_context_json), CanonJson(w.alert_context_json)) << a.rule->id;
      const Match& b = from_typed.matches[i];
      EXPECT_EQ(a.rule->id, b.rule->id);
      EXPECT_EQ(a.severity, b.severity);
      EXPECT_EQ(a.title, b.title);
      EXPECT_EQ(a.dedup, b.dedup);
      // Same JSON values; member order may differ (messages iterate by field number, maps by hash).
      EXPECT_EQ(CanonJson(a.alert_context_json), CanonJson(b.alert_context_json)) << a.rule->id;
      ASSERT_EQ(a.summary.size(), b.summary.size());
      for (size_t k = 0; k < a.summary.size(); ++k) {
        EXPECT_EQ(CanonJson(a.summary[k].json), CanonJson(b.summary[k].json)) << a.summary[k].name;
      }
      ++matched;
    }
  }
  EXPECT_GE(matched, 3);
}

}  // namespace
}  // namespace detect
