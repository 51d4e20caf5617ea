// A field sent more than once (issue 12, item 7): protobuf merges the occurrences, and so must detectd, or a
// rule is evaded by splitting an event in two. A differential test against protobuf's own parser over mutated
// real events, the attack from the issue, and the request-level merge of Event.audit_event.
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "detect/v1/detect.pb.h"
#include "engine/compiler.h"
#include "engine/rule_set.h"
#include "gtest/gtest.h"
#include "proto/audit_event_json.h"
#include "tests/testing/audit_event_view.h"
#include "proto/audit_event_wire.h"
#include "proto/wire_reader.h"
#include "server/request_view.h"
#include "tests/proto/value_canon.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/wire_encoding.h"

namespace detect {
namespace {

using ::detect::test_support::Canon;
using ::detect::test_support::IsOk;
using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

// A length-delimited field (tests/testing/wire_encoding.h), by a short name: the tests below build many.
std::string Len(uint32_t number, const std::string& payload) { return test_support::LengthDelimited(number, payload); }

struct Chunk {
  uint32_t number = 0;
  uint8_t wire_type = 0;
  std::string raw;      // The whole field: tag, (length), value.
  std::string payload;  // Length-delimited fields: the value.
};

std::vector<Chunk> Split(const std::string& bytes) {
  std::vector<Chunk> chunks;
  wire::Reader r(bytes);
  size_t before = 0;
  for (wire::Field f; r.Next(&f);) {
    const size_t after = r.offset(bytes);
    chunks.push_back({f.number, f.wire_type, bytes.substr(before, after - before), std::string(f.data)});
    before = after;
  }
  EXPECT_FALSE(r.error());
  return chunks;
}

// Serialized sub-messages of every type met in the events, by message type: decoys for mutations.
using Pool = std::map<std::string, std::vector<std::string>>;

void Collect(const std::string& bytes, const Descriptor* d, Pool* pool) {
  for (const Chunk& c : Split(bytes)) {
    const FieldDescriptor* fd = d->FindFieldByNumber(static_cast<int>(c.number));
    if (fd == nullptr || fd->type() != FieldDescriptor::TYPE_MESSAGE || c.wire_type != 2) continue;
    (*pool)[fd->message_type()->full_name()].push_back(c.payload);
    Collect(c.payload, fd->message_type(), pool);
  }
}

// Rewrites a serialized message of type `d` into another serialization that protobuf may parse differently
// from "each field's last occurrence": singular sub-messages split into two occurrences (the second moved to
// the end), decoy occurrences of sub-messages from other events before or after the real one, map entries
// repeated with another value under the same key, repeated elements moved after other fields. Recursive.
class Mutator {
 public:
  Mutator(const Pool& pool, uint32_t seed) : pool_(pool), rng_(seed) {}

  std::string Mutate(const std::string& bytes, const Descriptor* d, int depth) {
    std::vector<std::string> out, tail;
    std::vector<Chunk> chunks = Split(bytes);
    for (const Chunk& c : chunks) {
      const FieldDescriptor* fd = d->FindFieldByNumber(static_cast<int>(c.number));
      if (fd == nullptr || c.wire_type != 2) {
        out.push_back(c.raw);
        continue;
      }
      if (fd->type() != FieldDescriptor::TYPE_MESSAGE) {
        (fd->is_repeated() && Coin(0.3) ? tail : out).push_back(c.raw);  // Repeated strings: appended in order.
        continue;
      }
      const Descriptor* sub = fd->message_type();
      std::string payload = depth < 8 && Coin(0.6) ? Mutate(c.payload, sub, depth + 1) : c.payload;
      if (fd->is_map()) {
        if (Coin(0.25)) {  // The same key with another entry's value, before or after: the last entry wins.
          const std::string decoy = Len(fd->number(), KeyOf(payload) + ValueOf(Pick(sub)));
          (Coin(0.5) ? tail : out).push_back(decoy);
        }
        out.push_back(Len(fd->number(), payload));
        continue;
      }
      if (fd->is_repeated()) {
        (Coin(0.3) ? tail : out).push_back(Len(fd->number(), payload));
        continue;
      }
      if (Coin(0.3)) {  // A decoy occurrence first: merged under the real one, its other fields stay.
        const std::string decoy = Pick(sub);
        if (!decoy.empty() || Coin(0.5)) out.push_back(Len(fd->number(), decoy));
      }
      if (Coin(0.4)) {  // Split in two: the first part here, the rest at the end of the message.
        std::vector<Chunk> parts = Split(payload);
        const size_t cut = parts.empty() ? 0 : std::uniform_int_distribution<size_t>(0, parts.size())(rng_);
        std::string first, second;
        for (size_t i = 0; i < parts.size(); ++i) (i < cut ? first : second) += parts[i].raw;
        out.push_back(Len(fd->number(), first));
        tail.push_back(Len(fd->number(), second));
      } else {
        out.push_back(Len(fd->number(), payload));
      }
      if (Coin(0.15)) tail.push_back(Len(fd->number(), Pick(sub)));  // A decoy after: it wins where it sets.
    }
    return absl::StrJoin(out, "") + absl::StrJoin(tail, "");
  }

 private:
  bool Coin(double p) { return std::bernoulli_distribution(p)(rng_); }
  std::string Pick(const Descriptor* d) {
    auto it = pool_.find(d->full_name());
    if (it == pool_.end() || it->second.empty()) return "";
    return it->second[std::uniform_int_distribution<size_t>(0, it->second.size() - 1)(rng_)];
  }
  static std::string KeyOf(const std::string& entry) {
    std::string key;
    for (const Chunk& c : Split(entry)) key = c.number == 1 ? c.raw : key;
    return key;
  }
  static std::string ValueOf(const std::string& entry) {
    std::string value;
    for (const Chunk& c : Split(entry)) value += c.number == 2 ? c.raw : "";
    return value;
  }

  const Pool& pool_;
  std::mt19937 rng_;
};

std::vector<std::string> TestEvents() {
  std::vector<std::string> events;
  for (const char* path : {"tests/testdata/seed_events.ndjson", "tests/testdata/eks_audit_256.ndjson"}) {
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) events.push_back(line);
    }
  }
  return events;
}

std::shared_ptr<const RuleSet> BundledRules() {
  RuleSetBuilder builder;
  EXPECT_THAT(builder.AddPath("rules"), IsOk());
  CompileResult compiled = std::move(builder).Build();
  EXPECT_TRUE(compiled.IsValid()) << compiled.FormatIssues();
  return compiled.ReleaseRuleSet();
}

std::string Matches(const RuleSet& rules, const Value& event, EvalScratch& scratch) {
  EvalResult result;
  rules.Evaluate(event, "", scratch, result);
  std::vector<std::string> out;
  for (const Match& m : result.matches) out.push_back(absl::StrCat(m.rule->id, " ", m.title, " ", m.dedup));
  return absl::StrJoin(out, "\n");
}

std::string Hex(const std::string& bytes) {
  std::string out;
  for (unsigned char c : bytes) absl::StrAppend(&out, absl::Hex(c, absl::kZeroPad2));
  return out;
}

TEST(AuditEventMergeTest, WireViewReadsMutatedEventsAsProtobufParsesThem) {
  const std::vector<std::string> events = TestEvents();
  ASSERT_GE(events.size(), 250u);
  std::vector<std::string> serialized;
  Pool pool;
  for (const std::string& json : events) {
    v1::AuditEvent typed;
    ASSERT_THAT(AuditEventFromJson(json, &typed), IsOk()) << json;
    serialized.push_back(typed.SerializeAsString());
    Collect(serialized.back(), v1::AuditEvent::descriptor(), &pool);
  }
  const std::shared_ptr<const RuleSet> rules = BundledRules();
  ASSERT_NE(rules, nullptr);
  EvalScratch scratch;
  AuditEventWire wire;
  int merged = 0, last_occurrence_differs = 0, rules_differ_without_merge = 0, matched = 0;
  constexpr int kRounds = 4;
  for (int round = 0; round < kRounds; ++round) {
    for (size_t i = 0; i < serialized.size(); ++i) {
      Mutator mutator(pool, static_cast<uint32_t>(round * 100003 + i));
      const std::string mutated = mutator.Mutate(serialized[i], v1::AuditEvent::descriptor(), 0);
      v1::AuditEvent parsed;
      ASSERT_TRUE(parsed.ParseFromString(mutated)) << "protobuf refuses a mutation of event " << i;
      ASSERT_THAT(wire.Reset(mutated), IsOk()) << "event " << i << " round " << round << ": " << Hex(mutated);
      const Value expected = AuditEventValue(parsed);
      const std::string want = Canon(expected);
      ASSERT_EQ(Canon(wire.root()), want) << "event " << i << " round " << round << ": " << Hex(mutated);
      const std::string want_matches = Matches(*rules, expected, scratch);
      ASSERT_EQ(Matches(*rules, wire.root(), scratch), want_matches) << "event " << i << " round " << round;
      // How the mutation would read without merging (each singular field's last occurrence): the test must
      // reach cases where that is wrong, or it proves nothing.
      merged += wire.merged() ? 1 : 0;
      last_occurrence_differs += Canon(AuditEventWireValue(mutated)) != want ? 1 : 0;
      rules_differ_without_merge += Matches(*rules, AuditEventWireValue(mutated), scratch) != want_matches;
      matched += want_matches.empty() ? 0 : 1;
    }
  }
  std::cout << "mutated events: " << kRounds * serialized.size() << ", merged: " << merged
            << ", read differently without merging: " << last_occurrence_differs
            << ", bundled rules decide differently without merging: " << rules_differ_without_merge
            << ", with matches: " << matched << "\n";
  EXPECT_GT(merged, static_cast<int>(serialized.size()));
  EXPECT_GT(last_occurrence_differs, static_cast<int>(serialized.size()) / 2);
  EXPECT_GT(rules_differ_without_merge, 0);
  EXPECT_GT(matched, 0);
}

// The attack from the issue: the exec event, then a second objectRef naming kube-system.
TEST(AuditEventMergeTest, ASecondObjectRefDoesNotHideAnExec) {
  v1::AuditEvent exec;
  ASSERT_THAT(AuditEventFromJson(R"({"kind":"Event","verb":"create","user":{"username":"mallory"},
      "objectRef":{"resource":"pods","subresource":"exec","namespace":"default","name":"web-1"},
      "p_log_type":"Amazon.EKS.Audit"})", &exec), IsOk());
  v1::AuditEvent second;
  second.mutable_object_ref()->set_namespace_("kube-system");
  const std::string bytes = exec.SerializeAsString() + second.SerializeAsString();

  const std::shared_ptr<const RuleSet> rules = BundledRules();
  ASSERT_NE(rules, nullptr);
  EvalScratch scratch;
  AuditEventWire wire;
  ASSERT_THAT(wire.Reset(bytes), IsOk());
  EXPECT_TRUE(wire.merged());
  EXPECT_EQ(wire.root().Get("objectRef").Get("subresource").string_value(), "exec");
  EXPECT_EQ(wire.root().Get("objectRef").Get("namespace").string_value(), "kube-system");
  EXPECT_THAT(Matches(*rules, wire.root(), scratch),
              ::testing::HasSubstr("Kubernetes.Pod.Exec [mallory] executed into pod [kube-system/web-1]"));
}

TEST(AuditEventMergeTest, MapsKeepTheLastEntryOfAKey) {
  // annotations (field 18) with the key "k" twice, and a third key between.
  const std::string entry1 = Len(1, "k") + Len(2, "first");
  const std::string entry2 = Len(1, "j") + Len(2, "other");
  const std::string entry3 = Len(1, "k") + Len(2, "last");
  const std::string bytes = Len(18, entry1) + Len(18, entry2) + Len(18, entry3);
  AuditEventWire wire;
  ASSERT_THAT(wire.Reset(bytes), IsOk());
  const Value annotations = wire.root().Get("annotations");
  EXPECT_EQ(annotations.Get("k").string_value(), "last");
  EXPECT_EQ(annotations.Size(), 2u);
  EXPECT_EQ(Canon(annotations), R"({j:"other",k:"last"})");
  // A large map hashes its keys instead of comparing them pairwise.
  std::string large;
  for (int i = 0; i < 40; ++i) large += Len(18, Len(1, absl::StrCat("k", i % 20)) + Len(2, absl::StrCat(i)));
  ASSERT_THAT(wire.Reset(large), IsOk());
  v1::AuditEvent parsed;
  ASSERT_TRUE(parsed.ParseFromString(large));
  EXPECT_EQ(wire.root().Get("annotations").Size(), 20u);
  EXPECT_EQ(Canon(wire.root()), Canon(AuditEventValue(parsed)));
}

// Event.audit_event (field 3) sent twice: protobuf merges the two AuditEvents; a json (field 4) between them
// replaces the first (a oneof), and an audit_event after the json starts afresh.
TEST(AuditEventMergeTest, RequestViewMergesAnEventsAuditEventOccurrences) {
  v1::AuditEvent a, b;
  a.set_verb("create");
  a.mutable_object_ref()->set_resource("pods");
  b.mutable_object_ref()->set_namespace_("kube-system");
  const std::string merged_event = Len(3, a.SerializeAsString()) + Len(1, "e1") + Len(3, b.SerializeAsString());
  const std::string replaced_event = Len(3, a.SerializeAsString()) + Len(4, "{}") + Len(3, b.SerializeAsString());
  const std::string request = Len(1, merged_event) + Len(1, replaced_event);

  server::RequestView view;
  ASSERT_THAT(server::ParseRequestView(request, &view), IsOk());
  v1::EvaluateRequest parsed;
  ASSERT_TRUE(parsed.ParseFromString(request));
  ASSERT_EQ(view.events.size(), 2u);
  ASSERT_EQ(parsed.events_size(), 2);
  AuditEventWire wire;
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(view.events[i].payload, server::EventView::Payload::kAuditEvent);
    ASSERT_THAT(wire.Reset(view.events[i].data), IsOk());
    EXPECT_EQ(Canon(wire.root()), Canon(AuditEventValue(parsed.events(i).audit_event()))) << i;
  }
  EXPECT_EQ(view.events[0].id, "e1");
  ASSERT_THAT(wire.Reset(view.events[0].data), IsOk());
  EXPECT_EQ(wire.root().Get("verb").string_value(), "create");
  EXPECT_EQ(wire.root().Get("objectRef").Get("namespace").string_value(), "kube-system");
}

}  // namespace
}  // namespace detect
