#!/usr/bin/env python3
"""`detectctl eval --alerts` equals an independent computation over the same matches.

The events of tests/testdata/eks_audit_256.ndjson are copied four times with new auditIDs and new
requestReceivedTimestamps spread over about two hours (every seventh one earlier than the one before it: event
time going backwards), so the pack's windows of 15 minutes to 24 hours open, close and reopen and its thresholds
(1, 10, 15, 20) are both reached and missed (the 403s of the first two copies come from one public IP). `detectctl eval --format ndjson` gives the matches (line, rule,
dedup, title, severity); this script reads each match's event time from the input line and each rule's
DedupPeriodMinutes / Threshold / CreateAlert from its YAML, applies Panther's window semantics (docs/alerts.md)
itself, computes the alert ids (FNV-1a, docs/alerts.md), and compares with `detectctl eval --alerts --format ndjson`
field by field. Then checks the text table and the summary line.
"""
import argparse
import datetime
import json
import os
import re
import subprocess
import sys
import tempfile


def fail(msg, *details):
    print("FAIL:", msg, file=sys.stderr)
    for d in details:
        print(d, file=sys.stderr)
    sys.exit(1)


def rule_settings(rules_dir):
    out = {}
    for root, _, files in os.walk(rules_dir):
        for f in files:
            if not f.endswith((".yml", ".yaml")):
                continue
            text = open(os.path.join(root, f), encoding="utf-8").read()
            m = re.search(r'^RuleID:\s*"?([^"\n]+?)"?\s*$', text, re.M)
            if not m:
                continue
            def num(key, default):
                k = re.search(r"^%s:\s*(\d+)" % key, text, re.M)
                return int(k.group(1)) if k else default
            create = re.search(r"^CreateAlert:\s*(\w+)", text, re.M)
            out[m.group(1)] = {
                "period": max(num("DedupPeriodMinutes", 60), 1),
                "threshold": max(num("Threshold", 1), 1),
                "create_alert": not (create and create.group(1).lower() == "false"),
            }
    return out


def fnv1a(data, h):
    for b in data:
        h ^= b
        h = (h * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return h


def alert_id(rule_id, dedup, start_us):
    key = rule_id.encode() + b"\0" + dedup.encode() + b"\0" + str(start_us).encode()
    return "%016x%016x" % (fnv1a(key, 14695981039346656037), fnv1a(key, 0x9E3779B97F4A7C15))


def fmt(us):
    t = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc) + datetime.timedelta(microseconds=us)
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def expected_alerts(matches, times, rules):
    """Panther's windows, in input order, by event time."""
    windows = {}  # (rule, dedup) -> window dict
    done = []

    def close(w):
        if w["count"] >= w["threshold"]:
            done.append(w)

    for m in matches:
        r = rules[m["rule_id"]]
        if not r["create_alert"]:
            continue
        t = times[m["line"]]
        key = (m["rule_id"], m["dedup"])
        w = windows.get(key)
        if w is None or t >= w["end"]:
            if w is not None:
                close(w)
            w = {"rule_id": m["rule_id"], "dedup": m["dedup"], "title": m["title"], "severity": m["severity"],
                 "start": t, "end": t + r["period"] * 60_000_000, "first": t, "last": t, "count": 0,
                 "threshold": r["threshold"], "period": r["period"]}
            windows[key] = w
        w["count"] += 1
        w["first"] = min(w["first"], t)
        w["last"] = max(w["last"], t)
    for w in windows.values():
        close(w)
    out = []
    for w in done:
        out.append({"alert_id": alert_id(w["rule_id"], w["dedup"], w["start"]), "rule_id": w["rule_id"],
                    "dedup": w["dedup"], "title": w["title"], "severity": w["severity"],
                    "match_count": w["count"], "threshold": w["threshold"], "dedup_period_minutes": w["period"],
                    "window_start": fmt(w["start"]), "window_end": fmt(w["end"]),
                    "first_event_time": fmt(w["first"]), "last_event_time": fmt(w["last"])})
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--detectctl", required=True)
    ap.add_argument("--source", required=True)
    args = ap.parse_args()
    rules_dir = os.path.join(args.source, "rules")
    rules = rule_settings(rules_dir)
    base = [json.loads(l) for l in open(os.path.join(args.source, "tests/testdata/eks_audit_256.ndjson"))]
    start = 1731520800 * 1_000_000  # 2024-11-13T18:00:00Z
    with tempfile.TemporaryDirectory() as tmp:
        events_path = os.path.join(tmp, "events.ndjson")
        times = {}
        with open(events_path, "w") as f:
            n = 0
            for copy in range(4):
                for e in base:
                    n += 1
                    t = start + n * 7_000_000
                    if n % 7 == 0:
                        t -= 20 * 60_000_000  # Twenty minutes before its neighbours.
                    e = dict(e)
                    e.pop("p_event_time", None)
                    e["auditID"] = "copy%d-%s" % (copy, e.get("auditID", n))
                    if copy < 2 and (e.get("responseStatus") or {}).get("code") == 403:
                        e["sourceIPs"] = ["3.91.7.7"]  # One source: the 403 rules' thresholds (10) are reached.
                    e["requestReceivedTimestamp"] = fmt(t)
                    times[n] = t
                    f.write(json.dumps(e) + "\n")

        def run(*extra):
            p = subprocess.run([args.detectctl, "eval", "--rules", rules_dir, *extra, events_path],
                               capture_output=True, text=True)
            if p.returncode != 0:
                fail("detectctl %s exited %d" % (" ".join(extra), p.returncode), p.stdout[-2000:], p.stderr[-2000:])
            return p

        matches = [json.loads(l) for l in run("--format", "ndjson").stdout.splitlines()]
        want = expected_alerts(matches, times, rules)
        got_p = run("--alerts", "--format", "ndjson")
        got = [json.loads(l) for l in got_p.stdout.splitlines()]
        if not matches or len(want) < 5:
            fail("the input should make matches and several alerts", "matches=%d alerts=%d" % (len(matches), len(want)))
        thresholds = {w["threshold"] for w in want}
        if max(thresholds) < 10:
            fail("no alert of a rule with a threshold above 1: the test no longer covers thresholds", sorted(thresholds))
        below = sum(1 for m in matches if rules[m["rule_id"]]["threshold"] > 1)
        keys = list(want[0].keys())
        project = lambda a: json.dumps({k: a.get(k) for k in keys}, sort_keys=True)
        w_set = sorted(project(a) for a in want)
        g_set = sorted(project(a) for a in got)
        if w_set != g_set:
            missing = [a for a in w_set if a not in g_set]
            extra = [a for a in g_set if a not in w_set]
            fail("eval --alerts differs from the independent computation",
                 "expected but not printed:", *missing[:10], "printed but not expected:", *extra[:10])
        reopened = len(want) - len({(a["rule_id"], a["dedup"]) for a in want})
        if reopened == 0:
            fail("no key alerted in two windows: the test no longer covers window ends")
        for a in got:
            for k in ("state", "highest_severity", "sample_event_ids", "alert_context", "summary_attributes",
                      "runbook", "mitre_attack"):
                if k not in a:
                    fail("alert JSON lacks %s (docs/alerts.md shape)" % k, json.dumps(a))
            if a["state"] != "opened" or not a["sample_event_ids"] or len(a["sample_event_ids"]) > 10:
                fail("unexpected state or sample ids", json.dumps(a))
        summary = got_p.stderr.strip().splitlines()[-1]
        if "alerts=%d " % len(want) not in summary:
            fail("summary line does not count the alerts", summary)
        text = run("--alerts").stdout.splitlines()
        if not text or not text[0].startswith("FIRST_EVENT_TIME") or len(text) != len(want) + 1:
            fail("text table: a header and one row per alert expected", *text[:5])
        print("ok: %d matches, %d alerts (%d in a reopened window, thresholds %s, %d matches of threshold>1 rules)"
              % (len(matches), len(want), reopened, sorted(thresholds), below))


if __name__ == "__main__":
    main()
