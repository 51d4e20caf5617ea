// Shared pieces of the libFuzzer targets: where the source tree is (for rules/), the engine options every
// fuzzer uses (limits capped so one input cannot take the process's memory), and the checks every evaluation
// result must pass. Header-only so each fuzzer stays one translation unit plus this file.
#ifndef DETECT_TESTS_FUZZ_FUZZ_SUPPORT_H_
#define DETECT_TESTS_FUZZ_FUZZ_SUPPORT_H_

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/compiler.h"

#include "engine/json_event.h"
#include "engine/options.h"
#include "engine/rule_set.h"
#include "simdjson.h"

namespace detect::fuzz {

// Stops the process with a message: libFuzzer records the input as a crash.
[[noreturn]] inline void Die(const std::string& what) {
  std::fprintf(stderr, "FUZZ INVARIANT BROKEN: %s\n", what.c_str());
  std::abort();
}

inline bool IsSourceRoot(const std::string& dir) {
  return access((dir + "/rules/aws_eks").c_str(), F_OK) == 0 && access((dir + "/engine/compiler.h").c_str(), F_OK) == 0;
}

// The repository root: $DETECT_SOURCE_DIR, else the first ancestor of the binary (or of the working
// directory) that holds rules/aws_eks and engine/compiler.h. Empty when none is found.
inline std::string SourceRoot() {
  if (const char* env = std::getenv("DETECT_SOURCE_DIR"); env != nullptr && *env != '\0') return env;
  std::vector<std::string> starts;
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n > 0) starts.emplace_back(buf, static_cast<size_t>(n));
  if (getcwd(buf, sizeof(buf)) != nullptr) starts.emplace_back(std::string(buf) + "/.");
  for (std::string dir : starts) {
    for (size_t slash = dir.rfind('/'); slash != std::string::npos && slash > 0; slash = dir.rfind('/')) {
      dir.resize(slash);
      if (IsSourceRoot(dir)) return dir;
    }
  }
  return "";
}

// Engine options for fuzzing: the defaults, with the memory-heavy limits lowered. Inputs are capped by
// -max_len, so these only matter for what one small input can make the engine allocate.
inline EngineOptions FuzzOptions() {
  EngineOptions options;
  options.max_event_bytes = 1 << 20;
  options.max_rule_file_bytes = 1 << 20;
  options.max_lookup_table_bytes = 1 << 20;
  options.max_rules = 1000;
  options.max_regex_memory_bytes = 1 << 20;
  return options;
}

// Checks JSON the engine rendered: `json` must parse (wrapped in an object when it is a member value).
inline void CheckJson(const std::string& json, bool is_object, const char* what) {
  static EngineOptions* const options = [] {
    auto* o = new EngineOptions();
    o->max_event_bytes = 0;  // Rendered fields may be larger than the event (escapes).
    o->max_event_depth = 1024;
    return o;
  }();
  static JsonEventParser* const parser = new JsonEventParser(*options);
  const std::string text = is_object ? json : "{\"v\":" + json + "}";
  absl::StatusOr<Value> parsed = parser->Parse(text);
  if (!parsed.ok()) Die(std::string(what) + " is not valid JSON (" + std::string(parsed.status().message()) + "): " + json);
}

inline bool IsUtf8(const std::string& s) { return simdjson::validate_utf8(s.data(), s.size()); }

// What every Match must satisfy, whatever the input: it names a rule of the set, its generated fields respect
// the cap, its summary values are JSON values and its alert context is a JSON object. With `utf8_in` (the
// rule files and the event were valid UTF-8), the title and dedup string must be valid UTF-8 too: they go
// into protobuf `string` fields.
inline void CheckMatch(const RuleSet& rules, const Match& m, bool utf8_in = true) {
  if (m.rule_index >= rules.size() || m.rule != &rules.rule(m.rule_index)) Die("match names no rule of the set");
  const size_t cap = rules.options().max_generated_field_size;
  if (cap != 0 && (m.title.size() > cap || m.dedup.size() > cap)) Die("title or dedup over max_generated_field_size");
  if (m.summary.size() != m.rule->summary_attributes.size()) Die("summary size differs from SummaryAttributes");
  if (m.alert_context_json.empty() || m.alert_context_json.front() != '{' || m.alert_context_json.back() != '}') {
    Die("alert context is not a JSON object: " + m.alert_context_json);
  }
  if (!utf8_in) return;  // JSON text must be UTF-8: not checkable when the input was not.
  for (const SummaryValue& s : m.summary) CheckJson(s.json, /*is_object=*/false, "summary attribute");
  CheckJson(m.alert_context_json, /*is_object=*/true, "alert context");
  if (!IsUtf8(m.title)) Die("title is not valid UTF-8: " + m.title);
  if (!IsUtf8(m.dedup)) Die("dedup string is not valid UTF-8: " + m.dedup);
}

// A digest of a match's rendered fields, for comparing two evaluations of one event.
inline std::string MatchDigest(const Match& m) {
  std::string d = m.rule->id + "\x1f" + m.title + "\x1f" + m.dedup + "\x1f" + m.alert_context_json + "\x1f" +
                  std::to_string(static_cast<int>(m.severity));
  for (const SummaryValue& s : m.summary) d += "\x1f" + s.name + "=" + s.json;
  return d;
}

// Evaluates `event` against `rules` two ways, through the rule index (Evaluate) and rule by rule
// (EvaluateRule), checks every match, and dies when the two disagree about a rule that both evaluate under the
// same log type: the index may skip rules that cannot match, never a match, and never runs an unselected rule.
// Returns the number of indexed matches. Not thread-safe (reuses static results; fuzzers are single-threaded).
inline size_t EvaluateBothWays(const RuleSet& rules, const Value& event, EvalScratch& scratch, bool utf8_in) {
  static EvalResult* const indexed = new EvalResult();
  static EvalResult* const single = new EvalResult();
  indexed->Clear();
  rules.Evaluate(event, "", scratch, *indexed);
  const Value lt = event.Get("p_log_type");
  const std::string event_log_type = lt.is_string() ? std::string(lt.string_value()) : rules.options().default_log_type;
  std::map<uint32_t, std::string> by_rule;
  for (const Match& m : indexed->matches) {
    CheckMatch(rules, m, utf8_in);
    if (!by_rule.emplace(m.rule_index, MatchDigest(m)).second) Die("a rule matched twice: " + m.rule->id);
  }
  for (size_t i = 0; i < rules.size(); ++i) {
    single->Clear();
    rules.EvaluateRule(i, event, scratch, *single);
    if (single->matches.size() > 1) Die("EvaluateRule returned several matches");
    for (const Match& m : single->matches) CheckMatch(rules, m, utf8_in);
    const RuleInfo& info = rules.rule(i);
    bool selected = info.enabled && info.log_types.empty();
    for (const std::string& t : info.log_types) selected |= info.enabled && t == event_log_type;
    auto it = by_rule.find(static_cast<uint32_t>(i));
    if (!selected) {
      if (it != by_rule.end()) Die("Evaluate ran a rule its log type does not select: " + info.id);
      continue;
    }
    const std::string rule_log_type = lt.is_string()            ? event_log_type
                                      : info.log_types.empty() ? rules.options().default_log_type
                                                               : info.log_types[0];
    if (rule_log_type != event_log_type) continue;  // EvaluateRule reads the event as another log type.
    const bool matched_alone = !single->matches.empty();
    if (matched_alone != (it != by_rule.end())) {
      Die(absl::StrCat("rule ", info.id, ": EvaluateRule says ", matched_alone, ", Evaluate (indexed) says ",
                       it != by_rule.end()));
    }
    if (matched_alone && MatchDigest(single->matches.front()) != it->second) {
      Die(absl::StrCat("rule ", info.id, ": rendered fields differ between Evaluate and EvaluateRule:\n",
                       MatchDigest(single->matches.front()), "\n", it->second));
    }
  }
  return indexed->matches.size();
}

// Loads rule paths (relative to the source root) and aborts when they do not build: a fuzzer must not run on
// an empty rule set by accident.
inline std::shared_ptr<const RuleSet> MustLoad(const std::vector<std::string>& paths,
                                                const std::vector<std::pair<std::string, std::string>>& texts) {
  const std::string root = SourceRoot();
  if (root.empty()) Die("cannot find the source tree: set DETECT_SOURCE_DIR");
  RuleSetBuilder builder(FuzzOptions());
  for (const std::string& p : paths) {
    absl::Status s = builder.AddPath(root + "/" + p);
    if (!s.ok()) Die(std::string(s.message()));
  }
  for (const auto& [name, text] : texts) builder.AddFile(name, text);
  CompileResult result = std::move(builder).Build(OnRuleError::kAbort);
  if (!result.IsValid() || result.rule_set() == nullptr) Die("rules do not build:\n" + result.FormatIssues());
  return result.ReleaseRuleSet();
}

// The bundled pack: rules/ (rules, data model, lookup tables).
inline std::shared_ptr<const RuleSet> LoadPack() { return MustLoad({"rules"}, {}); }

// A rule per condition kind (and negation), per key specifier and per combinator, each with every alert field
// (title variants, AlertFields, dedup, GroupBy, dynamic severities, context, summary), so an event meets all
// of the evaluator and renderer. Built with the pack's data model and lookup table for DataModel/Enrichment.
inline std::vector<std::pair<std::string, std::string>> ConditionRuleFiles();

inline std::shared_ptr<const RuleSet> LoadConditionRules() {
  return MustLoad({"rules/data_models", "rules/lookups"}, ConditionRuleFiles());
}

inline std::vector<std::pair<std::string, std::string>> ConditionRuleFiles() {
  // {condition, the rest of the flow mapping}.
  static const char* const kConditions[][2] = {
      {"Equals", "KeyPath: verb, Value: create"},
      {"DoesNotEqual", "KeyPath: sourceIPs, Value: ['127.0.0.1']"},
      {"IEquals", "Key: verb, Value: CREATE"},
      {"IDoesNotEqual", "KeyPath: user.username, Value: 'SYSTEM:ANONYMOUS'"},
      {"StartsWith", "KeyPath: requestURI, Value: /api/v1/namespaces/"},
      {"DoesNotStartWith", "KeyPath: userAgent, Value: kubectl"},
      {"IStartsWith", "KeyPath: userAgent, Value: KUBECTL/"},
      {"IDoesNotStartWith", "KeyPath: user.username, Value: 'SYSTEM:'"},
      {"EndsWith", "KeyPath: requestURI, Value: /exec"},
      {"DoesNotEndWith", "KeyPath: objectRef.subresource, Value: exec"},
      {"IEndsWith", "KeyPath: objectRef.resource, Value: SECRETS"},
      {"IDoesNotEndWith", "KeyPath: objectRef.namespace, Value: -SYSTEM"},
      {"Contains", "KeyPath: user.groups, Value: 'system:masters'"},
      {"DoesNotContain", "KeyPath: requestURI, Value: '?'"},
      {"IContains", "KeyPath: requestURI, Value: COMMAND="},
      {"IDoesNotContain", "KeyPath: userAgent, Value: CURL"},
      {"Has", "Key: annotations, Value: authorization.k8s.io/decision"},
      {"DoesNotHave", "KeyPath: requestObject.spec, Value: hostNetwork"},
      {"IHas", "KeyPath: user.groups, Value: 'SYSTEM:AUTHENTICATED'"},
      {"IDoesNotHave", "KeyPath: user.extra, Value: ARN"},
      {"IsIn", "KeyPath: verb, Values: [create, update, patch]"},
      {"IsNotIn", "KeyPath: objectRef.namespace, Values: [kube-system, kube-public]"},
      {"IIsIn", "KeyPath: objectRef.resource, Values: [SECRETS, CONFIGMAPS, 1, true, null]"},
      {"IIsNotIn", "DeepKey: [annotations, authorization.k8s.io/decision], Values: [ALLOW]"},
      {"IsGreaterThan", "KeyPath: responseStatus.code, Value: 399"},
      {"IsGreaterThanOrEquals", "KeyPath: responseStatus.code, Value: 403.0"},
      {"IsLessThan", "KeyPath: requestObject.spec.replicas, Value: -1.5"},
      {"IsLessThanOrEquals", "DeepKey: [responseStatus, code], Value: 200"},
      {"Exists", "KeyPath: impersonatedUser.username"},
      {"DoesNotExist", "KeyPath: objectRef.name"},
      {"IsNull", "KeyPath: requestObject.metadata.labels"},
      {"IsNotNull", "Key: responseObject"},
      {"IsNullOrEmpty", "KeyPath: sourceIPs"},
      {"IsNotNullOrEmpty", "KeyPath: requestObject.spec.containers"},
      {"IsIPAddress", "KeyPath: 'sourceIPs[0]'"},
      {"IsNotIPAddress", "KeyPath: 'sourceIPs[-1]'"},
      {"IsIPAddressPrivate", "KeyPath: 'sourceIPs[0]'"},
      {"IsIPAddressNotPrivate", "KeyPath: 'sourceIPs[1]'"},
      {"IsIPAddressPublic", "KeyPath: 'p_any_ip_addresses[0]'"},
      {"IsIPAddressNotPublic", "KeyPath: 'sourceIPs[0]', Value: false"},
      {"IsIPAddressInCIDR", "KeyPath: 'sourceIPs[0]', Values: [10.0.0.0/8, 'fd00::/8', 192.168.0.0/16]"},
      {"IsIPAddressNotInCIDR", "KeyPath: 'sourceIPs[0]', Value: 100.64.0.0/10"},
      {"Matches", "KeyPath: requestURI, Value: '/exec\\?.*command=(tar|sh|bash)'"},
      {"DoesNotMatch", "KeyPath: userAgent, Value: '^kubectl/v1\\.(2[0-9])'"},
      {"IMatches", "KeyPath: user.username, Value: '^system:serviceaccount:[a-z-]+:(default|admin)$'"},
      {"IDoesNotMatch", "KeyPath: 'requestObject.spec.containers[0].image', Value: '(a+)+$'"},
      {"Intersects",
       "KeyPath: 'requestObject.spec.containers[*].securityContext.capabilities.add[*]', Values: [SYS_ADMIN, BPF]"},
      {"DoesNotIntersect", "KeyPath: user.groups, Values: ['system:masters']"},
      {"AnyElement",
       "KeyPath: requestObject.spec.containers, Expressions: [{KeyPath: securityContext.privileged, "
       "Condition: Equals, Value: true}]"},
      {"AllElements", "KeyPath: sourceIPs, Expressions: [{KeyPath: $, Condition: IsIPAddressPrivate}]"},
      {"NoElement",
       "KeyPath: requestObject.spec.volumes, Expressions: [{KeyPath: hostPath.path, Condition: StartsWith, "
       "Value: /}]"},
      {"OnlyOneElement", "KeyPath: requestObject.rules, Expressions: [{Key: verbs, Condition: Contains, Value: '*'}]"},
      {"AlwaysTrue", ""},
      {"AlwaysFalse", ""},
      // Multi-key comparisons, DataModel, Enrichment and $ paths.
      {"Equals", "Values: [{KeyPath: user.username}, {KeyPath: impersonatedUser.username}]"},
      {"DoesNotEqual", "Values: [{DeepKey: [objectRef, namespace]}, {KeyPath: requestObject.metadata.namespace}]"},
      {"IsIn", "DataModel: verb, Values: [get, list, watch]"},
      {"Exists", "Enrichment: {Table: tor_exit_nodes, Selector: p_any_ip_addresses, FieldPath: operator}"},
      {"Contains", "KeyPath: '$.requestObject.spec.containers[*].image', Value: 'busybox'"},
  };
  static const char* const kCombinators =
      "  - Any:\n"
      "      - All: [{KeyPath: verb, Condition: Equals, Value: create}, {Key: sourceIPs, Condition: Exists}]\n"
      "      - OnlyOne: [{KeyPath: verb, Condition: Equals, Value: get}, {KeyPath: user.username, Condition: "
      "StartsWith, Value: 'system:'}]\n"
      "      - None: [{KeyPath: objectRef.resource, Condition: Equals, Value: pods}]\n";
  static const char* const kAlertFields =
      "AlertFields:\n"
      "  containers: {Join: requestObject.spec.containers, Template: '{name}={image|?}', Separator: ';',\n"
      "               Filter: [{Key: name, Condition: IsNotNullOrEmpty}], Default: none}\n"
      "AlertTitle:\n"
      "  - Conditions: [{KeyPath: verb, Condition: Equals, Value: create}]\n"
      "    Template: '{user.username|anon} created {objectRef.resource}/{objectRef.name} [{@containers}] "
      "{requestObject} {sourceIPs[*]} {{x}}'\n"
      "  - Template: '{verb} by {user} from {sourceIPs[0]|0.0.0.0} {annotations} {responseStatus.code}'\n"
      "AlertDedup:\n"
      "  - Conditions: [{KeyPath: objectRef.namespace, Condition: Exists}]\n"
      "    Template: '{objectRef.namespace}:{user.groups}'\n"
      "GroupBy: [{KeyPath: user.username}, {Key: sourceIPs}, {KeyPath: requestObject.spec}]\n"
      "DynamicSeverities:\n"
      "  - ChangeTo: Critical\n"
      "    Conditions: [{KeyPath: user.groups, Condition: Contains, Value: 'system:masters'}]\n"
      "AlertContext:\n"
      "  - {KeyName: user, KeyValue: {KeyPath: user}}\n"
      "  - {KeyName: containers, KeyValue: {KeyPath: 'requestObject.spec.containers[*].image'}}\n"
      "  - {KeyName: whole, KeyValue: {KeyPath: requestObject}}\n"
      "SummaryAttributes: ['user:username', p_any_ip_addresses, 'requestObject:spec', p_any_aws_arns,\n"
      "                    p_any_aws_account_ids, p_any_usernames, p_enrichment]\n";
  std::vector<std::pair<std::string, std::string>> files;
  auto add_rule = [&](const std::string& detection) {
    const size_t n = files.size();
    files.emplace_back(absl::StrCat("fuzz_condition_", n, ".yml"),
                       absl::StrCat("AnalysisType: rule\nRuleID: fuzz.", n, "\nEnabled: true\n",
                                    "LogTypes: [Amazon.EKS.Audit]\nSeverity: Medium\n", kAlertFields,
                                    "Detection:\n", detection));
  };
  for (const auto& c : kConditions) {
    add_rule(absl::StrCat("  - {Condition: ", c[0], *c[1] ? ", " : "", c[1], "}\n"));
  }
  add_rule(kCombinators);
  return files;
}

}  // namespace detect::fuzz

#endif  // DETECT_TESTS_FUZZ_FUZZ_SUPPORT_H_
