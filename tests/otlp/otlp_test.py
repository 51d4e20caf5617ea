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
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testing"))
from detectd_harness import (audit_events_file, arguments, check, expected_matches, finish,  # noqa: E402
                             ingest_detectd, metric, nonblank_lines)

BASE_SECONDS = 1700000000  # send_logs.js: record i has timestamp BASE_SECONDS + i.


def otlp_matches(d, endpoint, since):
    """(record index, rule_id) of the 'otlp match' lines of `endpoint` after byte `since` of detectd's log."""
    got = set()
    for line in d.output()[since:].splitlines():
        if '"msg":"otlp match"' in line:
            m = json.loads(line)
            if m["endpoint"] == endpoint:
                got.add((m["time_unix_nano"] // 10**9 - BASE_SECONDS, m["rule_id"]))
    return got


def post_logs(d, body, content_type, headers=()):
    """curl POST on /v1/logs; returns (HTTP status, reply body)."""
    return d.post("/v1/logs", body, ["Content-Type: " + content_type] + list(headers))


def main():
    args = arguments().parse_args()
    node = shutil.which("node")
    if node is None:
        print("SKIPPED: Node.js (node) is not installed; the OpenTelemetry JavaScript SDK needs it")
        return 77
    here = os.path.join(args.source, "tests", "otlp")
    if not os.path.isdir(os.path.join(here, "node_modules", "@opentelemetry", "sdk-logs")):
        print("FAIL: tests/otlp/node_modules is missing: run scripts/install-deps.sh --with-tests "
              "(npm ci in tests/otlp)", file=sys.stderr)
        return 1
    events_file = audit_events_file(args)
    n_events = len(nonblank_lines(events_file))
    expected = expected_matches(args, events_file)
    check(len(expected) > 10, "detectctl eval finds matches in the test events", len(expected))
    with tempfile.TemporaryDirectory() as tmp:
        d = ingest_detectd(args, tmp, ["--log_level", "debug"])
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
            got = otlp_matches(d, endpoint, since)
            check(got == expected, "%s: matches equal detectctl eval" % what,
                  "missing %s\nextra %s" % (sorted(expected - got)[:10], sorted(got - expected)[:10]))

        # What the SDK does not show: a record that is not an event is a partial success; bad bodies 400, other
        # content types 415 (curl).
        code, text = post_logs(d, json.dumps({"resourceLogs": [{"scopeLogs": [{"logRecords": [
            {"body": {"stringValue": "{\"verb\":\"get\"}"}}, {"body": {"stringValue": "GET /healthz"}}]}]}]}).encode(),
            "application/json")
        check(code == 200 and json.loads(text or "{}").get("partialSuccess", {}).get("rejectedLogRecords") == "1",
              "OTLP JSON partial success", "%d %s" % (code, text))
        code, text = post_logs(d, b'{"resourceLogs":', "application/json")
        check(code == 400 and '"code":3' in text, "malformed OTLP JSON: 400 with a Status", "%d %s" % (code, text))
        code, text = post_logs(d, b"{}", "text/plain")
        check(code == 415, "other content type: 415", "%d %s" % (code, text))
        # Refusals made before the handler (here a body that is not gzip) are a Status too, in the request's encoding.
        code, text = post_logs(d, b"not gzip", "application/json", ["Content-Encoding: gzip"])
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
    return finish("otlp_test")


if __name__ == "__main__":
    sys.exit(main())
