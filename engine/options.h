// EngineOptions: every limit of rule loading and evaluation, with its default. 0 means unbounded only where
// the comment says so.
#ifndef DETECT_ENGINE_OPTIONS_H_
#define DETECT_ENGINE_OPTIONS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace detect {

struct EngineOptions {
  // Largest event accepted, in bytes of JSON. 0: unbounded (not recommended for a server).
  size_t max_event_bytes = 1 << 20;
  // Deepest nesting of arrays and objects in an event. Deeper events get a per-event error.
  size_t max_event_depth = 256;
  // Largest rule file read, in bytes.
  size_t max_rule_file_bytes = 4 << 20;
  // Deepest nesting of a rule file's YAML, and most expression nodes in one rule (YAML aliases can repeat a
  // subtree: a small file could otherwise expand into millions of nodes).
  int max_rule_depth = 1000;
  size_t max_rule_expressions = 10000;
  // Most distinct field-path segments a rule set interns (the nodes of the trie of every path its rules read
  // from the event: `a.b` and `a.c` make 3). A rule that takes the set beyond it is an error at its RuleID.
  // One path has at most 256 segments (engine/internal/field_path.h).
  size_t max_interned_path_segments = 250000;
  // Largest lookup-table data file (CSV or JSON) read, in bytes.
  size_t max_lookup_table_bytes = 64 << 20;
  // Most rules in one rule set. 0: unbounded.
  size_t max_rules = 100000;
  // RE2 limits for rule regexes: memory budget per pattern and the largest compiled program accepted.
  int64_t max_regex_memory_bytes = 8 << 20;
  int max_regex_program_size = 10000;
  // Rendered titles and dedup strings are cut to this many characters, as Panther caps them.
  size_t max_generated_field_size = 1000;
  // Fields whose values are few and common in traffic (every request has a verb and most are complete): the
  // rule index files a rule under one of them only when the rule requires nothing rarer.
  std::vector<std::string> low_selectivity_fields = {"verb", "stage", "level", "kind", "apiVersion",
                                                     "objectRef.apiVersion", "objectRef.apiGroup", "p_log_type"};
  // Log type of events that carry none (no p_log_type and none given by the caller).
  std::string default_log_type = "Amazon.EKS.Audit";
  // Unknown top-level keys in a rule file: accepted with a warning (as Panther's tool does when told to
  // ignore extra keys), or, when true, errors that make the rule invalid. Unknown keys inside detection
  // expressions are always errors.
  bool reject_unknown_keys = false;
  // Compute p_any_ip_addresses, p_any_usernames, p_any_aws_arns and p_any_aws_account_ids from Kubernetes
  // audit fields when an event lacks them, as Panther does when it parses EKS logs.
  bool derive_panther_fields = true;
  // Present GKE (GCP.AuditLog from k8s.io) and AKS (Azure.MonitorActivity kube-audit) records to rules as
  // Kubernetes audit events (see engine/eval/kubernetes_views.h), so one rule covers all three clouds.
  bool kubernetes_audit_views = true;
  // How JSON events are read (RuleSet::ParseJson / EvaluateJson with a JsonEventParser made with these
  // options). kDom: simdjson's DOM of the whole event. kOnDemand: one simdjson On-Demand pass that keeps only
  // the fields the rule set reads (engine/json/projected_event.h); it accepts and rejects exactly the events the
  // DOM does and yields the same results (the differential fuzzer tests/fuzz/ondemand_vs_dom_fuzzer.cc holds it
  // to the DOM, the oracle). BENCHMARKS.md has the cost of each.
  enum class JsonRead { kDom, kOnDemand };
  JsonRead json_read = JsonRead::kDom;
};

}  // namespace detect

#endif  // DETECT_ENGINE_OPTIONS_H_
