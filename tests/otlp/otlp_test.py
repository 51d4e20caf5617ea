#!/usr/bin/python3
"""OTLP logs ingest against the real detectd binary, with the OpenTelemetry JavaScript SDK's exporters as the
senders (tests/otlp/send_logs.js): LogsService/Export over gRPC, OTLP/HTTP JSON and protobuf on /v1/logs,
string and kvlist bodies, gzip. For every exporter the matches (from detectd's per-match debug log, which names
each record by its timestamp) must equal `detectctl eval` over the same events; the per-endpoint metrics
count the records. curl checks the OTLP/HTTP answers the SDK does not show: partial success, 400, 415, a refusal before the handler as a Status.

Exit 77 (ctest: skipped) only when Node.js is absent. Needs tests/otlp/node_modules
(scripts/install-deps.sh --with-tests runs npm ci there).

  /usr/bin/python3 tests/otlp/otlp_test.py --detectd build/bin/detectd --detectctl build/bin/detectctl --source .
"""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

BASE_SECONDS = 1700000000  # send_logs.js: record i has timestamp BASE_SECONDS + i.
FAILURES = []


def check(cond, what, detail=""):
    if not cond:
        FAILURES.append(what)
        print("FAIL: %s %s" % (what, str(detail)[:3000]), file=sys.stderr)


class Detectd:
    def __init__(self, args, tmp):
        self.log_path = os.path.join(tmp, "detectd.log")
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [args.detectd, "--rules", os.path.join(args.source, "rules"), "--listen", "127.0.0.1:0",
             "--metrics_listen", "127.0.0.1:0", "--ingest_listen", "127.0.0.1:0", "--watch_rules=false",
             "--log_level", "debug", "--shutdown_grace_seconds", "5"], stdout=self.log, stderr=self.log)
        deadline = time.time() + 30
        while time.time() < deadline:
            m = re.search(r'^\{.*"msg":"serving".*\n', self.output(), re.M)
            if m:
                line = json.loads(m.group(0))
                self.port, self.ingest_port, self.metrics_port = line["port"], line["ingest_port"], line["metrics_port"]
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        sys.exit("detectd did not start:\n" + self.output())

    def output(self):
        return open(self.log_path).read()

    def matches(self, endpoint, since):
        """(record index, rule_id) of the 'otlp match' lines of `endpoint` after byte `since` of the log."""
        got = set()
        for line in self.output()[since:].splitlines():
            if '"msg":"otlp match"' in line:
                m = json.loads(line)
                if m["endpoint"] == endpoint:
                    got.add((m["time_unix_nano"] // 10**9 - BASE_SECONDS, m["rule_id"]))
        return got

    def metrics(self):
        return subprocess.run(["curl", "-sS", "http://127.0.0.1:%d/metrics" % self.metrics_port],
                              capture_output=True).stdout.decode()

    def post(self, body, content_type):
        return self.post_raw(body, content_type, [])

    def post_raw(self, body, content_type, headers):
        extra = [a for h in headers for a in ("-H", h)]
        out = subprocess.run(["curl", "-sS", "--max-time", "60", "-o", "-", "-w", "\n%{http_code}", "-X", "POST",
                              "-H", "Content-Type: " + content_type] + extra + ["--data-binary", "@-",
                              "http://127.0.0.1:%d/v1/logs" % self.ingest_port],
                             input=body, capture_output=True).stdout.decode(errors="replace")
        text, _, code = out.rpartition("\n")
        return int(code or 0), text

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = "timeout"
        check(code == 0, "detectd exits 0 on SIGTERM", "exit %s" % code)


def metric(page, series):
    for line in page.splitlines():
        if line.startswith(series + " "):
            return float(line.split()[-1])
    return -1


def expected_matches(args, events_file):
    out = subprocess.run([args.detectctl, "eval", "--rules", os.path.join(args.source, "rules"), "--format",
                          "ndjson", events_file], capture_output=True).stdout.decode()
    return {(json.loads(l)["line"] - 1, json.loads(l)["rule_id"]) for l in out.splitlines() if l.startswith("{")}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--detectd", required=True)
    ap.add_argument("--detectctl", required=True)
    ap.add_argument("--source", required=True)
    args = ap.parse_args()
    node = shutil.which("node")
    if node is None:
        print("SKIPPED: Node.js (node) is not installed; the OpenTelemetry JavaScript SDK needs it")
        return 77
    here = os.path.join(args.source, "tests", "otlp")
    if not os.path.isdir(os.path.join(here, "node_modules", "@opentelemetry", "sdk-logs")):
        print("FAIL: tests/otlp/node_modules is missing: run scripts/install-deps.sh --with-tests "
              "(npm ci in tests/otlp)", file=sys.stderr)
        return 1
    events_file = os.path.join(args.source, "tests", "testdata", "eks_audit_256.ndjson")
    n_events = len([l for l in open(events_file) if l.strip()])
    expected = expected_matches(args, events_file)
    check(len(expected) > 10, "detectctl eval finds matches in the test events", len(expected))
    with tempfile.TemporaryDirectory() as tmp:
        d = Detectd(args, tmp)
        runs = [("grpc", ["--body", "string", "--cluster", "eks-test"], "otlp_grpc"),
                ("grpc", ["--body", "kvlist", "--gzip", "--batch", "50"], "otlp_grpc"),
                ("http/json", ["--body", "string", "--gzip"], "otlp_http"),
                ("http/json", ["--body", "kvlist", "--batch", "100"], "otlp_http"),
                ("http/protobuf", ["--body", "string", "--cluster", "eks-test"], "otlp_http"),
                ("http/protobuf", ["--body", "kvlist", "--gzip", "--batch", "64"], "otlp_http")]
        for protocol, flags, endpoint in runs:
            url = "http://127.0.0.1:%d" % (d.port if protocol == "grpc" else d.ingest_port)
            since = len(d.output())
            sent = subprocess.run([node, os.path.join(here, "send_logs.js"), "--protocol", protocol, "--endpoint",
                                   url, "--events", events_file] + flags, capture_output=True, timeout=120)
            what = "%s %s" % (protocol, " ".join(flags))
            report = sent.stdout.decode().strip()
            check(sent.returncode == 0, "exporter %s succeeds" % what,
                  report + sent.stderr.decode() + d.output()[since:][-2000:])
            try:
                stats = json.loads(report.splitlines()[-1])
            except (ValueError, IndexError):
                stats = {}
            check(stats.get("records") == n_events and stats.get("exports", 0) >= 1,
                  "exporter %s sent every record" % what, report)
            got = d.matches(endpoint, since)
            check(got == expected, "%s: matches equal detectctl eval" % what,
                  "missing %s\nextra %s" % (sorted(expected - got)[:10], sorted(got - expected)[:10]))

        # What the SDK does not show: a record that is not an event is a partial success; bad bodies 400, other
        # content types 415 (curl).
        code, text = d.post(json.dumps({"resourceLogs": [{"scopeLogs": [{"logRecords": [
            {"body": {"stringValue": "{\"verb\":\"get\"}"}}, {"body": {"stringValue": "GET /healthz"}}]}]}]}).encode(),
            "application/json")
        check(code == 200 and json.loads(text or "{}").get("partialSuccess", {}).get("rejectedLogRecords") == "1",
              "OTLP JSON partial success", "%d %s" % (code, text))
        code, text = d.post(b'{"resourceLogs":', "application/json")
        check(code == 400 and '"code":3' in text, "malformed OTLP JSON: 400 with a Status", "%d %s" % (code, text))
        code, text = d.post(b"{}", "text/plain")
        check(code == 415, "other content type: 415", "%d %s" % (code, text))
        # Refusals made before the handler (here a body that is not gzip) are a Status too, in the request's encoding.
        code, text = d.post_raw(b"not gzip", "application/json", ["Content-Encoding: gzip"])
        check(code == 400 and text.startswith('{"code":3,"message":'), "bad gzip body: 400 with a JSON Status",
              "%d %s" % (code, text))

        page = d.metrics()
        for series, want in [('detectd_ingest_events_total{endpoint="otlp_grpc"}', 2 * n_events),
                             ('detectd_ingest_events_total{endpoint="otlp_http"}', 4 * n_events + 2),
                             ('detectd_ingest_matches_total{endpoint="otlp_grpc"}', 2 * len(expected)),
                             ('detectd_ingest_errors_total{endpoint="otlp_http",reason="bad_record"}', 1),
                             ('detectd_ingest_requests_total{endpoint="otlp_http",code="415"}', 1)]:
            check(metric(page, series) == want, "metric " + series, "%s != %s" % (metric(page, series), want))
        per_rule = {}
        for _, rule in expected:
            per_rule[rule] = per_rule.get(rule, 0) + 1
        for rule, n in sorted(per_rule.items()):
            series = 'detectd_ingest_rule_matches_total{endpoint="otlp_http",rule_id="%s"}' % rule
            check(metric(page, series) == 4 * n, "metric " + series, "%s != %s" % (metric(page, series), 4 * n))
        check(metric(page, 'detectd_ingest_requests_total{endpoint="otlp_grpc",code="200"}') >= 2,
              "gRPC Export calls counted", page[-3000:])
        d.stop()
    if FAILURES:
        print("%d check(s) failed" % len(FAILURES), file=sys.stderr)
        return 1
    print("otlp_test: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
