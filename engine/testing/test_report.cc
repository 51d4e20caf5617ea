// Text, JSON and JUnit renderings of rule-test results.
#include "engine/testing/test_report.h"

#include <map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/str_replace.h"
#include "common/json_escape.h"
#include "engine/internal/yaml_util.h"

namespace detect {
namespace {


std::string Xml(absl::string_view s) {
  return absl::StrReplaceAll(s, {{"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}, {"\"", "&quot;"}, {"'", "&apos;"}});
}

std::string SummaryLine(const TestReport& r) {
  return absl::StrCat("rules: ", r.rules, ", tests: ", r.tests, ", passed: ", r.passed, ", failed: ", r.failed,
                      ", errors: ", r.errors());
}

}  // namespace

std::string FormatTestReportText(const TestReport& report) {
  std::string out;
  std::string current_rule;
  for (const TestCaseResult& r : report.results) {
    if (r.rule_id != current_rule) {
      current_rule = r.rule_id;
      absl::StrAppend(&out, current_rule, "\n");
    }
    absl::StrAppend(&out, "\t[", r.passed ? "PASS" : "FAIL", "] ", r.test_name, "\n");
    if (r.actual_result) {
      absl::StrAppend(&out, "\t\t[Title] ", r.title, "\n\t\t[Dedup] ", r.dedup, "\n");
      if (r.severity) absl::StrAppend(&out, "\t\t[Severity] ", SeverityName(*r.severity), "\n");
      if (r.alert_context_json != "{}") absl::StrAppend(&out, "\t\t[AlertContext] ", r.alert_context_json, "\n");
    }
    for (const std::string& f : r.failures) absl::StrAppend(&out, "\t\t", r.location.ToString(), ": ", f, "\n");
    if (!r.explanation_text.empty()) {
      out += "\t\t[Explain]\n";
      for (absl::string_view line : absl::StrSplit(r.explanation_text, '\n', absl::SkipEmpty())) {
        absl::StrAppend(&out, "\t\t", line, "\n");
      }
    }
  }
  for (const RuleIssue& i : report.issues) absl::StrAppend(&out, i.ToStringWithSource(), "\n");
  if (!report.issues.empty() || !report.results.empty()) out += "\n";
  std::vector<const TestCaseResult*> failed;
  for (const TestCaseResult& r : report.results) {
    if (!r.passed) failed.push_back(&r);
  }
  if (!failed.empty()) {
    out += "Failed tests:\n";
    for (const TestCaseResult* r : failed) absl::StrAppend(&out, "  ", r->rule_id, ": ", r->test_name, "\n");
  }
  absl::StrAppend(&out, SummaryLine(report), "\n", report.passed, " passed, ", report.failed, " failed\n");
  return out;
}

std::string FormatTestReportJson(const TestReport& report) {
  std::string out = absl::StrCat("{\"rules\":", report.rules, ",\"tests\":", report.tests, ",\"passed\":",
                                 report.passed, ",\"failed\":", report.failed, ",\"errors\":", report.errors(),
                                 ",\"issues\":[");
  for (size_t i = 0; i < report.issues.size(); ++i) {
    const RuleIssue& issue = report.issues[i];
    if (i > 0) out += ',';
    out += "{\"severity\":";
    AppendJsonString(issue.severity == RuleIssue::Severity::kError ? "error" : "warning", &out);
    out += ",\"file\":";
    AppendJsonString(issue.location.file, &out);
    absl::StrAppend(&out, ",\"line\":", issue.location.line, ",\"column\":", issue.location.column, ",\"message\":");
    AppendJsonString(issue.message, &out);
    out += '}';
  }
  out += "],\"results\":[";
  for (size_t i = 0; i < report.results.size(); ++i) {
    const TestCaseResult& r = report.results[i];
    if (i > 0) out += ',';
    out += "{\"rule_id\":";
    AppendJsonString(r.rule_id, &out);
    out += ",\"test\":";
    AppendJsonString(r.test_name, &out);
    out += ",\"file\":";
    AppendJsonString(r.location.file, &out);
    absl::StrAppend(&out, ",\"line\":", r.location.line, ",\"passed\":", r.passed ? "true" : "false",
                    ",\"expected_result\":", r.expected_result ? "true" : "false",
                    ",\"actual_result\":", r.actual_result ? "true" : "false");
    if (r.actual_result) {
      out += ",\"title\":";
      AppendJsonString(r.title, &out);
      out += ",\"dedup\":";
      AppendJsonString(r.dedup, &out);
      out += ",\"severity\":";
      AppendJsonString(r.severity ? SeverityName(*r.severity) : "", &out);
      absl::StrAppend(&out, ",\"alert_context\":", r.alert_context_json);
    }
    out += ",\"failures\":[";
    for (size_t f = 0; f < r.failures.size(); ++f) {
      if (f > 0) out += ',';
      AppendJsonString(r.failures[f], &out);
    }
    out += "]";
    if (!r.explanation_json.empty()) absl::StrAppend(&out, ",\"explanation\":", r.explanation_json);
    out += "}";
  }
  out += "]}\n";
  return out;
}

std::string FormatTestReportJunit(const TestReport& report) {
  std::map<std::string, std::vector<const TestCaseResult*>> by_rule;
  for (const TestCaseResult& r : report.results) by_rule[r.rule_id].push_back(&r);
  std::string out = absl::StrCat("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"detectctl test\" tests=\"",
                                 report.tests + report.errors(), "\" failures=\"", report.failed, "\" errors=\"",
                                 report.errors(), "\">\n");
  for (const auto& [rule_id, results] : by_rule) {
    size_t failures = 0;
    for (const TestCaseResult* r : results) failures += r->passed ? 0 : 1;
    absl::StrAppend(&out, "  <testsuite name=\"", Xml(rule_id), "\" tests=\"", results.size(), "\" failures=\"",
                    failures, "\">\n");
    for (const TestCaseResult* r : results) {
      absl::StrAppend(&out, "    <testcase classname=\"", Xml(rule_id), "\" name=\"", Xml(r->test_name), "\" file=\"",
                      Xml(r->location.file), "\" line=\"", r->location.line, "\"");
      if (r->passed) {
        out += "/>\n";
        continue;
      }
      std::string message;
      for (const std::string& f : r->failures) absl::StrAppend(&message, message.empty() ? "" : "; ", f);
      absl::StrAppend(&out, ">\n      <failure message=\"", Xml(message), "\"/>\n    </testcase>\n");
    }
    out += "  </testsuite>\n";
  }
  if (report.errors() > 0) {
    absl::StrAppend(&out, "  <testsuite name=\"rule loading\" tests=\"", report.errors(), "\" errors=\"",
                    report.errors(), "\">\n");
    for (const RuleIssue& i : report.issues) {
      if (i.severity != RuleIssue::Severity::kError) continue;
      absl::StrAppend(&out, "    <testcase classname=\"rule loading\" name=\"", Xml(i.location.ToString()),
                      "\">\n      <error message=\"", Xml(i.message), "\"/>\n    </testcase>\n");
    }
    out += "  </testsuite>\n";
  }
  out += "</testsuites>\n";
  return out;
}

}  // namespace detect
