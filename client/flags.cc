// Definitions of detectctl's flags (see flags.h); the help texts are what `detectctl --help` prints.
#include "client/flags.h"

#include "absl/flags/flag.h"

ABSL_FLAG(std::string, rules, "", "Rule file or directory of rule files (*.yml, *.yaml, searched recursively)");
ABSL_FLAG(std::string, format, "text", "Output format (each command's help lists its values)");
ABSL_FLAG(std::string, fields, "",
          "--format ndjson: the keys of each match line, comma-separated, from line, audit_id, rule_id, severity, "
          "title, dedup, summary, alert_context (default: all)");
ABSL_FLAG(std::string, log_type, "",
          "Log type of input events that carry no p_log_type (default: Amazon.EKS.Audit)");
ABSL_FLAG(bool, skip_invalid, false, "Load the valid rules and report the invalid ones instead of stopping");
ABSL_FLAG(bool, explain, false, "For each failing test, explain the rule on the test's event, node by node");
ABSL_FLAG(std::string, filter, "", "Only rules whose id matches: comma-separated ids or shell globs (Kubernetes.Pod.*)");
ABSL_FLAG(int, minimum_tests, 0,
          "Fail rules with fewer tests; from 2 on, also rules without a test expecting true and one expecting "
          "false (panther_analysis_tool's --minimum-tests)");
ABSL_FLAG(std::string, json_read, "dom",
          "How JSON events are read: dom (simdjson DOM of each event) or ondemand (one simdjson On-Demand pass "
          "keeping only the fields the rules read; same results)");
ABSL_FLAG(bool, strict, false, "Reject rules with unknown top-level keys (default: accept them with a warning)");
ABSL_FLAG(bool, alerts, false,
          "eval: print the alerts the events would have produced (windows of DedupPeriodMinutes by event time, "
          "Threshold) instead of the matches");
ABSL_FLAG(int, threads, 1, "Evaluation threads (the input is split among them; output keeps input order)");
ABSL_FLAG(std::string, server, "localhost:50051", "detectd address HOST:PORT");
ABSL_FLAG(bool, raw, false, "Send events as raw JSON bytes (the default; kept for scripts that pass it)");
ABSL_FLAG(bool, typed, false,
          "Convert events to typed AuditEvent messages on the client before sending (slower; raw JSON is the "
          "default and the server parses it with the engine's parser)");
ABSL_FLAG(int, batch_size, 500, "Events per Evaluate request or stream message");
ABSL_FLAG(int, concurrency, 4, "Concurrent calls or streams");
ABSL_FLAG(double, duration, 10, "Seconds of sustained load");
ABSL_FLAG(std::string, mode, "stream", "stream (StreamEvaluate) | unary (Evaluate)");
ABSL_FLAG(double, rate, 0, "Target calls (unary) or events (stream) per second; 0: as fast as possible");
ABSL_FLAG(bool, progress, true, "Print a progress line on stderr for long inputs");
ABSL_FLAG(bool, tls, false, "Connect with TLS");
ABSL_FLAG(std::string, tls_ca, "", "PEM file of the CA that signed the server certificate (implies --tls)");
ABSL_FLAG(std::string, tls_cert, "", "PEM client certificate for mTLS (implies --tls)");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert");
ABSL_FLAG(std::string, tls_server_name, "", "Override the TLS server name to verify");
ABSL_FLAG(std::string, since, "",
          "alerts: resume after this alert-log id (the log_id of the last alert seen); empty: only new alerts");
ABSL_FLAG(double, timeout, 30, "Deadline of each unary call, in seconds");
