// Rule analysis behind `detectctl describe` / `coverage` and the DescribeRule RPC: what a rule detects,
// derived from the compiled rule (not from its YAML text): MITRE ATT&CK coverage with names, the structured
// condition, exclusions (top-level negated conjuncts), indicators (top-level positive conjuncts, with how many
// other loaded rules use the same one), and output fields.
#ifndef DETECT_ENGINE_ANALYSIS_RULE_ANALYSIS_H_
#define DETECT_ENGINE_ANALYSIS_RULE_ANALYSIS_H_

#include <string>
#include <vector>

#include "engine/rule_set.h"

namespace detect {

struct MitreMapping {
  std::string tactic_id, tactic_name;        // TA0001, Initial Access
  std::string technique_id, technique_name;  // T1190, Exploit Public-Facing Application
};

// One field test: `field kind values`, e.g. user.username eq ["system:anonymous"].
struct Predicate {
  std::string field;
  std::string kind;                 // eq, starts_with, in, ip_private, regex, ... ("not " prefix when negated)
  std::vector<std::string> values;  // As JSON literals.
  int other_rules = 0;              // Indicators: other loaded rules with the same field, kind and values.
};

// One thing the rule suppresses: its predicates all hold (`expression` says how they combine).
struct Exclusion {
  std::string expression;
  std::vector<Predicate> predicates;
};

struct RuleAnalysis {
  const RuleInfo* rule = nullptr;  // Owned by the RuleSet analysed.
  // DynamicSeverities in order (the first that holds wins): `HIGH when <condition> or <condition>`.
  std::vector<std::string> dynamic_severities;
  std::vector<MitreMapping> mitre;
  std::vector<std::string> condition;  // One line per top-level conjunct (filters first).
  std::vector<Exclusion> exclusions;
  std::vector<Predicate> indicators;
  std::vector<std::string> output_fields;  // Summary attributes, then fields of titles, dedup, context.
  std::string indexed_by;  // The condition the rule index files the rule under; empty: runs for every event.
};

RuleAnalysis AnalyzeRule(const RuleSet& rules, size_t index);
std::vector<MitreMapping> ParseMitreReports(const RuleInfo& rule);

// Markdown-style tables, like the catalog page a rule comes from.
std::string FormatRuleAnalysisText(const RuleAnalysis& analysis);
std::string FormatRuleAnalysisJson(const RuleAnalysis& analysis);

// The MITRE matrix of a rule set: tactic -> technique -> rule ids, as text and JSON.
std::string FormatCoverageText(const RuleSet& rules);
std::string FormatCoverageJson(const RuleSet& rules);

}  // namespace detect

#endif  // DETECT_ENGINE_ANALYSIS_RULE_ANALYSIS_H_
