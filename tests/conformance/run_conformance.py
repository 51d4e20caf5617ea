#!/usr/bin/env python3
"""Panther conformance: runs every rule file under ../shared/conformance/panther/ through `detectctl test`.

- YAML-only rules (simple-detections/valid, historical-simple-rules, YAML-only inline-filters): every test must
  pass except the five fixture errors listed in NOTES.md, which must fail for the reason given there.
- simple-detections/invalid: every file must be refused with an error.
- Python rules (inline-filters/basic.python.*): refused with the "Python rule ... not supported" message.
- eks-rule-tests: the upstream Tests of each Kubernetes rule, run against this project's pack rule of the same
  RuleID (rules/), must all pass.

Usage: run_conformance.py --detectctl build/bin/detectctl [--shared ../shared] [--report FILE] [--check-report FILE]
                          [--json-read dom|ondemand]
Exit 0 when everything is as expected, 1 otherwise, 77 (skipped) when the shared directory is absent.
"""
import argparse, glob, json, os, re, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# The five fixture errors of NOTES.md: (file, test) -> why the test cannot pass.
KNOWN_FIXTURE_ERRORS = {
    ("simple-detections/valid/Amazon.EKS.Audit.Multiple403.yml", "403 and Private IP"):
        "the condition says IsIPAddressPrivate but the test expects a public address to match",
    ("simple-detections/valid/Amazon.EKS.Audit.Multiple403.yml", "403 and Public IP"):
        "the condition says IsIPAddressPrivate but the test expects a public address to match",
    ("simple-detections/valid/auth0_mfa_policy_disabled.yml", "MFA Policy Disabled"):
        "the InlineFilter value google-oauth2|105261262156475851231 differs from the log's ...850461",
    ("simple-detections/valid/auth0_mfa_risk_assessment_disabled.yml", "Risk Assessment Disabled"):
        "the InlineFilter value google-oauth2|105261262156475851231 differs from the log's ...850461",
    ("simple-detections/valid/gcp_vpc_flow_logs_disabled.yml", "Disable Flow Logs Event"):
        "the rule's key enableFlowlogs differs in case from the log's enableFlowLogs (keys are case-sensitive)",
}


JSON_READ = []  # ["--json_read", "ondemand"] with --json-read: how detectctl reads the tests' JSON events.


def run_test(detectctl, path):
    out = subprocess.run([detectctl, "test", "--format", "json"] + JSON_READ + [path], capture_output=True, text=True)
    try:
        return json.loads(out.stdout)
    except ValueError:
        raise SystemExit("detectctl test %s printed no JSON report: %s" % (path, out.stderr))


def rel(shared, path):
    return os.path.relpath(path, os.path.join(shared, "conformance", "panther"))


def pack_rules_by_id():
    rules = {}
    for path in glob.glob(os.path.join(ROOT, "rules", "**", "*.yml"), recursive=True):
        m = re.search(r'^RuleID:\s*"?([^"\n]+)"?\s*$', open(path).read(), re.M)
        if m:
            rules[m.group(1).strip()] = path
    return rules


def splice_tests(rule_text, upstream_text):
    """Our rule with its Tests replaced by the upstream file's Tests section (both end with Tests)."""
    ours = re.split(r"^Tests:\s*$", rule_text, maxsplit=1, flags=re.M)[0]
    theirs = re.split(r"^Tests:\s*$", upstream_text, maxsplit=1, flags=re.M)
    if len(theirs) != 2:
        return None
    return ours.rstrip("\n") + "\nTests:" + theirs[1]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--detectctl", required=True)
    ap.add_argument("--shared", default=os.path.join(ROOT, "..", "shared"))
    ap.add_argument("--report", help="write the Markdown report here")
    ap.add_argument("--check-report", help="fail when this committed report differs from a fresh one")
    ap.add_argument("--json-read", choices=["dom", "ondemand"], help="detectctl --json_read (default: its own)")
    a = ap.parse_args()
    if a.json_read:
        JSON_READ[:] = ["--json_read", a.json_read]
    base = os.path.join(a.shared, "conformance", "panther")
    if not os.path.isdir(base):
        print("SKIPPED: %s not found; the conformance suite needs ../shared beside the repository" % base)
        return 77

    problems, rows, totals = [], [], {"tests": 0, "passed": 0, "known": 0}
    yaml_only = sorted(glob.glob(os.path.join(base, "simple-detections", "valid", "*.yml")) +
                       glob.glob(os.path.join(base, "historical-simple-rules", "**", "*.yml"), recursive=True) +
                       [p for p in glob.glob(os.path.join(base, "inline-filters", "*.yml")) if ".python." not in p])
    for path in yaml_only:
        name = rel(a.shared, path)
        report = run_test(a.detectctl, path)
        errors = [i["message"] for i in report["issues"] if i["severity"] == "error"]
        if errors:
            problems.append("%s: failed to load: %s" % (name, errors))
        cells = []
        for r in report["results"]:
            totals["tests"] += 1
            known = KNOWN_FIXTURE_ERRORS.get((name, r["test"]))
            if r["passed"]:
                totals["passed"] += 1
                cells.append("PASS %s" % r["test"])
                if known:
                    problems.append("%s: %s passed but NOTES.md says it cannot" % (name, r["test"]))
            else:
                cells.append("FAIL %s (fixture error: %s)" % (r["test"], known) if known else "FAIL %s" % r["test"])
                if known:
                    totals["known"] += 1
                else:
                    problems.append("%s: %s failed: %s" % (name, r["test"], r["failures"]))
        rows.append((name, "YAML rule", cells))

    for path in sorted(glob.glob(os.path.join(base, "simple-detections", "invalid", "*.yml")) +
                       glob.glob(os.path.join(base, "inline-filters", "*.python.*.yml"))):
        name = rel(a.shared, path)
        report = run_test(a.detectctl, path)
        errors = [i["message"] for i in report["issues"] if i["severity"] == "error"]
        if not errors:
            problems.append("%s: was accepted but must be refused" % name)
        if ".python." in path and not any("Python rule" in e for e in errors):
            problems.append("%s: refused without naming it a Python rule: %s" % (name, errors))
        rows.append((name, "refused", ["refused: " + e for e in errors]))

    pack = pack_rules_by_id()
    with tempfile.TemporaryDirectory() as tmp:
        for path in sorted(glob.glob(os.path.join(base, "eks-rule-tests", "*.yml"))):
            name = rel(a.shared, path)
            upstream = open(path).read()
            rule_id = re.search(r'^RuleID:\s*"?([^"\n]+)"?', upstream, re.M).group(1).strip()
            if rule_id not in pack:
                problems.append("%s: no pack rule with RuleID %s" % (name, rule_id))
                rows.append((name, "upstream tests vs pack", ["MISSING pack rule " + rule_id]))
                continue
            spliced = splice_tests(open(pack[rule_id]).read(), upstream)
            target = os.path.join(tmp, os.path.basename(path))
            with open(target, "w") as f:
                f.write(spliced)
            report = run_test(a.detectctl, target)
            errors = [i["message"] for i in report["issues"] if i["severity"] == "error"]
            if errors:
                problems.append("%s: pack rule with upstream tests failed to load: %s" % (name, errors))
            cells = []
            for r in report["results"]:
                totals["tests"] += 1
                totals["passed"] += r["passed"]
                cells.append("%s %s" % ("PASS" if r["passed"] else "FAIL", r["test"]))
                if not r["passed"]:
                    problems.append("%s: %s failed against %s: %s" % (name, r["test"], os.path.relpath(pack[rule_id], ROOT), r["failures"]))
            rows.append((name, "upstream tests vs `%s`" % os.path.relpath(pack[rule_id], ROOT), cells))

    for path in sorted(glob.glob(os.path.join(base, "schema", "*")) + glob.glob(os.path.join(base, "*.*"))):
        name = rel(a.shared, path)
        what = {"schema/aws_eks_data_model.yml": "data model; shipped as rules/data_models/aws_eks.yml",
                "schema/analysis_config_schema.json": "JSON schema of the rule format; docs/rule-format.md follows it"}
        rows.append((name, "reference", [what.get(name, "documentation, no tests")]))

    lines = ["# Panther conformance report", "",
             "Generated by `python3 tests/conformance/run_conformance.py --detectctl build/bin/detectctl --report "
             "tests/conformance/README.md` (ctest `conformance` fails when this file is stale).", "",
             "Every file under `../shared/conformance/panther/`, with the result of each of its tests. "
             "%d tests ran, %d passed; %d failed as the fixture errors listed in NOTES.md, for the reason shown, "
             "and no other test failed." % (totals["tests"], totals["passed"], totals["known"]), "",
             "| file | checked as | results |", "|---|---|---|"]
    for name, kind, cells in rows:
        lines.append("| `%s` | %s | %s |" % (name, kind, "<br>".join(c.replace("|", "\\|") for c in cells) or "(no tests)"))
    text = "\n".join(lines) + "\n"
    if a.report:
        with open(a.report, "w") as f:
            f.write(text)
    if a.check_report and open(a.check_report).read() != text:
        problems.append("%s is stale: regenerate it with --report" % a.check_report)
    print("conformance: %d tests, %d passed, %d known fixture errors" % (totals["tests"], totals["passed"], totals["known"]))
    for p in problems:
        print("PROBLEM: " + p)
    print("%d passed, %d failed" % (totals["passed"], totals["tests"] - totals["passed"]))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
