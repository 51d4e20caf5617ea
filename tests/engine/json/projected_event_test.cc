// The On-Demand projected read of JSON events (engine/json/): the trie compiled from paths, the values kept
// (duplicate keys, escapes, numbers, scalar lists), the lazy DOM parse of subtrees read whole, the events it
// leaves to the DOM (errors, big integers, depth), and a rule set deciding exactly as with the DOM.
#include "engine/json/projected_event.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/compiler.h"
#include "engine/json/projection.h"
#include "engine/json_event.h"
#include "engine/rule_set.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace detect::json_internal {
namespace {

using ::testing::ElementsAre;

TEST(ProjectionTest, TrieInPreorderWithChildTables) {
  const Projection p = Projection::Build({{"objectRef", "resource"}, {"verb"}, {"objectRef", "name"},
                                          {"objectRef"}, {"user", "extra", "arn"}, {"verb"}});
  // root, objectRef, name, resource, user, extra, arn, verb.
  ASSERT_EQ(p.size(), 8u);
  const int object_ref = p.FindChild(Projection::kRoot, "objectRef");
  ASSERT_GT(object_ref, 0);
  EXPECT_EQ(p.key(object_ref), "objectRef");
  EXPECT_EQ(p.parent(object_ref), Projection::kRoot);
  const int resource = p.FindChild(object_ref, "resource");
  const int name = p.FindChild(object_ref, "name");
  EXPECT_GT(resource, object_ref);
  EXPECT_GT(name, object_ref);
  EXPECT_EQ(p.subtree_end(object_ref), std::max(resource, name) + 1);
  EXPECT_EQ(p.subtree_end(Projection::kRoot), 8);
  EXPECT_FALSE(p.has_children(resource));
  EXPECT_EQ(p.FindChild(Projection::kRoot, "resource"), -1);
  EXPECT_EQ(p.FindChild(Projection::kRoot, "verbs"), -1);
  EXPECT_EQ(p.FindChild(Projection::kRoot, ""), -1);
  EXPECT_GT(p.FindChild(p.FindChild(p.FindChild(Projection::kRoot, "user"), "extra"), "arn"), 0);
}

TEST(ProjectionTest, ManyChildrenAllFound) {
  std::vector<std::vector<std::string>> paths;
  for (int i = 0; i < 300; ++i) paths.push_back({absl::StrCat("k", i)});
  const Projection p = Projection::Build(paths);
  for (int i = 0; i < 300; ++i) EXPECT_GT(p.FindChild(Projection::kRoot, absl::StrCat("k", i)), 0) << i;
  EXPECT_EQ(p.FindChild(Projection::kRoot, "k300"), -1);
}

class ProjectedEventTest : public ::testing::Test {
 protected:
  ProjectedEventTest() : event_(&dom_, 256) { EXPECT_EQ(dom_.allocate(4096, 257), simdjson::SUCCESS); }

  // Reads `json` (padded copy: the reader's own), true when the projected pass accepted it.
  bool Read(const std::string& json) { return event_.Read(json, /*padded=*/false, projection_, &root_); }

  Projection projection_ = Projection::Build({{"verb"}, {"objectRef", "resource"}, {"objectRef", "name"},
                                              {"sourceIPs"}, {"n"}, {"requestObject"}, {"user", "username"}});
  simdjson::dom::parser dom_;
  ProjectedEvent event_;
  Value root_;
};

TEST_F(ProjectedEventTest, KeepsProjectedScalars) {
  ASSERT_TRUE(Read(R"({"kind":"Event","verb":"get","objectRef":{"resource":"pods","name":"p"},"n":3})"));
  EXPECT_EQ(root_.Get("verb").string_value(), "get");
  EXPECT_EQ(root_.Get("objectRef").Get("resource").string_value(), "pods");
  EXPECT_EQ(root_.Get("objectRef").Get("name").string_value(), "p");
  EXPECT_EQ(root_.Get("n").int_value(), 3);
  EXPECT_TRUE(root_.Get("user").is_missing());
  EXPECT_EQ(event_.lazy_parses(), 0u);
}

TEST_F(ProjectedEventTest, LastDuplicateKeyWinsAndForgetsWhatTheEarlierOneHeld) {
  ASSERT_TRUE(Read(R"({"verb":"get","verb":"create","objectRef":{"resource":"pods","name":"a"},)"
                   R"("objectRef":{"name":"b"}})"));
  EXPECT_EQ(root_.Get("verb").string_value(), "create");
  EXPECT_TRUE(root_.Get("objectRef").Get("resource").is_missing());
  EXPECT_EQ(root_.Get("objectRef").Get("name").string_value(), "b");
  ASSERT_TRUE(Read(R"({"objectRef":{"resource":"pods"},"objectRef":"x"})"));
  EXPECT_EQ(root_.Get("objectRef").string_value(), "x");
  EXPECT_TRUE(root_.Get("objectRef").Get("resource").is_missing());
}

TEST_F(ProjectedEventTest, UnescapesKeysAndValues) {
  ASSERT_TRUE(Read(R"({"ver\u0062":"d\u0065l\"ete","objectRef":{"res\u006furce":"a\\b"}})"));
  EXPECT_EQ(root_.Get("verb").string_value(), "del\"ete");
  EXPECT_EQ(root_.Get("objectRef").Get("resource").string_value(), "a\\b");
}

TEST_F(ProjectedEventTest, NumbersAsTheDomConvertsThem) {
  ASSERT_TRUE(Read(R"({"n":-9223372036854775808})"));
  EXPECT_TRUE(root_.Get("n").is_int());
  EXPECT_EQ(root_.Get("n").int_value(), INT64_MIN);
  ASSERT_TRUE(Read(R"({"n":18446744073709551615})"));
  ASSERT_TRUE(root_.Get("n").is_double());
  EXPECT_EQ(root_.Get("n").double_value(), 18446744073709551615.0);
  ASSERT_TRUE(Read(R"({"n":1.5e3})"));
  EXPECT_EQ(root_.Get("n").double_value(), 1500.0);
  ASSERT_TRUE(Read(R"({"n":true,"x":null})"));
  EXPECT_TRUE(root_.Get("n").bool_value());
  // Beyond 64 bits, anywhere: the DOM decides.
  EXPECT_FALSE(Read(R"({"n":1,"x":18446744073709551616})"));
}

TEST_F(ProjectedEventTest, ScalarListsAreKeptListsOfObjectsAreReadFromTheDom) {
  ASSERT_TRUE(Read(R"({"sourceIPs":["10.0.0.1","10.0.0.2"],"requestObject":{"spec":{"containers":[{"a":1}]}}})"));
  const Value ips = root_.Get("sourceIPs");
  ASSERT_TRUE(ips.is_list());
  EXPECT_EQ(ips.Size(), 2u);
  EXPECT_EQ(ips.At(-1).string_value(), "10.0.0.2");
  std::vector<std::string> seen;
  ips.ForEachElement([&](const Value& v) {
    seen.emplace_back(v.string_value());
    return true;
  });
  EXPECT_THAT(seen, ElementsAre("10.0.0.1", "10.0.0.2"));
  EXPECT_EQ(event_.lazy_parses(), 0u);
  // requestObject is projected but its members are not: read from the DOM, parsed once for the event.
  const Value containers = root_.Get("requestObject").Get("spec").Get("containers");
  ASSERT_TRUE(containers.is_list());
  EXPECT_EQ(containers.At(0).Get("a").int_value(), 1);
  EXPECT_EQ(root_.Get("requestObject").Size(), 1u);
  EXPECT_EQ(event_.lazy_parses(), 1u);
  ASSERT_TRUE(Read(R"({"sourceIPs":[{"ip":"x"},"y"]})"));
  EXPECT_EQ(root_.Get("sourceIPs").At(0).Get("ip").string_value(), "x");
  EXPECT_EQ(event_.lazy_parses(), 2u);
}

TEST_F(ProjectedEventTest, UnprojectedKeysAndIterationComeFromTheDom) {
  ASSERT_TRUE(Read(R"({"verb":"get","kind":"Event","objectRef":{"resource":"pods","uid":"u"}})"));
  EXPECT_EQ(root_.Get("kind").string_value(), "Event");
  EXPECT_EQ(root_.Get("objectRef").Get("uid").string_value(), "u");
  std::vector<std::string> keys;
  root_.ForEachMember([&](absl::string_view k, const Value&) {
    keys.emplace_back(k);
    return true;
  });
  EXPECT_THAT(keys, ElementsAre("verb", "kind", "objectRef"));
  EXPECT_EQ(root_.Size(), 3u);
}

TEST_F(ProjectedEventTest, LeavesToTheDomWhatItCannotVouchFor) {
  EXPECT_FALSE(Read(R"({"verb":"get","x":[1 2]})"));        // Structure inside a skipped value.
  EXPECT_FALSE(Read(R"({"verb":"get","x":{"a":tru}})"));    // A skipped atom.
  EXPECT_FALSE(Read(R"({"verb":"get","x":"\x"})"));         // A skipped string's escape.
  EXPECT_FALSE(Read(R"({"verb":"get","x":01})"));           // A skipped number.
  EXPECT_FALSE(Read(R"({"verb":"get"} {})"));               // Trailing content.
  EXPECT_FALSE(Read(R"(["verb"])"));                        // Not an object.
  EXPECT_FALSE(Read(""));
  EXPECT_FALSE(Read(absl::StrCat(R"({"x":)", std::string(255, '['), std::string(255, ']'), "}")));  // Depth.
  EXPECT_TRUE(Read(absl::StrCat(R"({"x":)", std::string(200, '['), std::string(200, ']'), "}")));
}

// Values outside the projection are checked from their raw tokens, not converted: what the DOM refuses is
// refused, and what the check cannot vouch for (big or extreme numbers) is left to the DOM.
TEST_F(ProjectedEventTest, SkippedValuesAreCheckedFromTheirTokens) {
  EXPECT_FALSE(Read(R"({"verb":"get","x":"a":{}})"));  // A string followed by a colon, as if it were a key.
  EXPECT_FALSE(Read(R"({"x":1.})"));
  EXPECT_FALSE(Read(R"({"x":-})"));
  EXPECT_FALSE(Read(R"({"x":1e})"));
  EXPECT_FALSE(Read(R"({"x":[1,-01]})"));
  EXPECT_FALSE(Read(R"({"x":nul})"));
  EXPECT_FALSE(Read(R"({"x":truex})"));
  EXPECT_FALSE(Read(R"({"x":1e400})"));                // Out of range for the DOM; not vouched for here.
  EXPECT_FALSE(Read(R"({"x":1234567890123456789})"));  // 19 digits: the DOM decides.
  ASSERT_TRUE(Read(R"({"x":[1.5e-3, -0, 0.25E+2, true ,false, null,"s"],"y":{"z":123456789012345678}})"));
  EXPECT_TRUE(root_.Get("verb").is_missing());
  // An event with a backslash anywhere: strings with one are unescaped (and so validated), others are raw.
  ASSERT_TRUE(Read(R"({"x":"a\\b","verb":"g\u0065t","objectRef":{"name":"plain"}})"));
  EXPECT_EQ(root_.Get("verb").string_value(), "get");
  EXPECT_EQ(root_.Get("objectRef").Get("name").string_value(), "plain");
  EXPECT_FALSE(Read(R"({"x":"a\\b","y":"\q"})"));
}

// A rule set reads the same with and without the projection; errors are the DOM's, word for word.
TEST(ProjectedRuleSetTest, DecidesAndRendersAsTheDom) {
  RuleSetBuilder builder;
  builder.AddFile("r.yml",
                  "AnalysisType: rule\nRuleID: r\nEnabled: true\nLogTypes: [Amazon.EKS.Audit]\nSeverity: Low\n"
                  "AlertTitle: '{verb} {objectRef.resource} by {user.username}'\n"
                  "AlertContext:\n  - {KeyName: ref, KeyValue: {KeyPath: objectRef}}\n"
                  "Detection:\n  - {KeyPath: objectRef.resource, Condition: Equals, Value: pods}\n"
                  "  - {KeyPath: sourceIPs, Condition: IsNotNullOrEmpty}\n");
  CompileResult compiled = std::move(builder).Build();
  ASSERT_TRUE(compiled.IsValid()) << compiled.FormatIssues();
  auto rules = compiled.ReleaseRuleSet();
  EngineOptions ondemand_options;
  ondemand_options.json_read = EngineOptions::JsonRead::kOnDemand;
  JsonEventParser ondemand(ondemand_options), dom;
  EvalScratch scratch;
  for (const std::string event :
       {R"({"verb":"get","objectRef":{"resource":"pods","name":"p"},"user":{"username":"u"},"sourceIPs":["1"]})",
        R"({"verb":"get","objectRef":{"resource":"nodes"},"sourceIPs":["1"]})",
        R"({"verb":"get","objectRef":{"resource":"pods"},"objectRef":{"resource":"pods","x":[1,{"y":2}]},"sourceIPs":[]})",
        R"({"verb":"get","objectRef":{"resource":"pods"},"sourceIPs":["1"],"bad":[1 2]})",
        R"({"verb":"get"} x)", R"([])"}) {
    EvalResult a, b;
    const absl::Status sa = rules->EvaluateJson(event, "", ondemand, scratch, a);
    const absl::Status sb = rules->EvaluateJson(event, "", dom, scratch, b);
    EXPECT_EQ(sa, sb) << event;
    ASSERT_EQ(a.matches.size(), b.matches.size()) << event;
    for (size_t i = 0; i < a.matches.size(); ++i) {
      EXPECT_EQ(a.matches[i].title, b.matches[i].title) << event;
      EXPECT_EQ(a.matches[i].dedup, b.matches[i].dedup) << event;
      EXPECT_EQ(a.matches[i].alert_context_json, b.matches[i].alert_context_json) << event;
    }
  }
}

}  // namespace
}  // namespace detect::json_internal
