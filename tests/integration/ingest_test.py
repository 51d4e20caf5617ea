#!/usr/bin/python3
"""HTTP ingest against the real detectd binary, with curl as the sender: the Kubernetes audit webhook endpoint
(/v1/k8s-audit: EventList, single Event, gzip, a 10,000-event batch and one over the limit, bearer token) and
NDJSON / JSON array (/v1/events). Matches must equal `detectctl eval` over the same events (differential per
endpoint); limits answer 401, 400, 413, 429 (Retry-After) and 408; per-event errors and every refusal are in
/metrics; SIGTERM exits 0.

  /usr/bin/python3 tests/integration/ingest_test.py --detectd build/bin/detectd --detectctl build/bin/detectctl \
      --source .
"""
import gzip
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testing"))
from detectd_harness import (arguments, audit_events_file, check, event_list, expected_matches,  # noqa: E402
                             finish, ingest_detectd, matches_of, metric)


def main():
    args = arguments().parse_args()
    events_file = audit_events_file(args)
    lines = [l for l in open(events_file).read().splitlines() if l.strip()]
    events = [json.loads(l) for l in lines]
    expected = expected_matches(args, events_file)
    check(len(expected) > 10, "detectctl eval finds matches in the test events", str(len(expected)))
    with tempfile.TemporaryDirectory() as tmp:
        token = "s3cret-token"
        token_file = os.path.join(tmp, "token")
        open(token_file, "w").write(token + "\n")
        d = ingest_detectd(args, tmp, ["--ingest_token_file", token_file])
        check("unauthenticated" not in d.output(), "no unauthenticated warning with a token file")

        # Audit webhook: EventList, plain and gzip; one Event.
        code, text = d.post("/v1/k8s-audit", event_list(events), ["Content-Type: application/json"], token)
        check(code == 200 and matches_of(text) == expected, "k8s-audit EventList matches equal detectctl eval",
              "%d %s" % (code, text[:300]))
        code, text = d.post("/v1/k8s-audit", gzip.compress(event_list(events)), ["Content-Encoding: gzip"], token)
        check(code == 200 and matches_of(text) == expected, "k8s-audit gzip EventList matches", "%d" % code)
        one = min(i for i, _ in expected)
        code, text = d.post("/v1/k8s-audit", lines[one].encode(), (), token)
        want = {(0, r) for i, r in expected if i == one}
        check(code == 200 and matches_of(text) == want, "k8s-audit single Event", "%d %s" % (code, text[:300]))
        # Authentication.
        code, _ = d.post("/v1/k8s-audit", event_list(events[:1]))
        check(code == 401, "no token: 401", str(code))
        code, _ = d.post("/v1/k8s-audit", event_list(events[:1]), (), "wrong")
        check(code == 401, "wrong token: 401", str(code))
        # Malformed bodies name the problem.
        code, text = d.post("/v1/k8s-audit", b"{not json", (), token)
        check(code == 400 and "JSON" in text, "not JSON: 400 naming it", "%d %s" % (code, text))
        code, text = d.post("/v1/k8s-audit", b'{"kind":"Pod"}', (), token)
        check(code == 400 and "Pod" in text, "wrong kind: 400 naming it", "%d %s" % (code, text))
        code, text = d.post("/v1/k8s-audit", b"\x1f\x8b\x08\x00garbage", ["Content-Encoding: gzip"], token)
        check(code == 400 and "gzip" in text, "bad gzip: 400", "%d %s" % (code, text))
        # 10,000 events in one batch are accepted; 10,001 are refused naming the limit.
        batch = (events * 40)[:10000]
        code, text = d.post("/v1/k8s-audit", event_list(batch), (), token)
        check(code == 200 and json.loads(text or "{}").get("events") == 10000, "10,000-event batch", str(code))
        code, text = d.post("/v1/k8s-audit", event_list(batch + events[:1]), (), token)
        check(code == 413 and "10000" in text, "10,001 events: 413 naming the limit", "%d %s" % (code, text))
        # A decompression bomb: 17 MiB of zeros in a few KiB of gzip.
        code, text = d.post("/v1/k8s-audit", gzip.compress(b" " * (17 << 20)), ["Content-Encoding: gzip"], token)
        check(code == 413 and "decompressed" in text, "gzip bomb: 413", "%d %s" % (code, text))

        # NDJSON and JSON array on /v1/events; a bad line is a per-event error.
        ndjson = ("\n".join(lines) + "\n").encode()
        code, text = d.post("/v1/events", ndjson, ["Content-Type: application/x-ndjson"], token)
        check(code == 200 and matches_of(text) == expected, "events NDJSON matches equal detectctl eval", str(code))
        code, text = d.post("/v1/events", json.dumps(events).encode(), ["Content-Type: application/json"], token)
        check(code == 200 and matches_of(text) == expected, "events JSON array matches", str(code))
        code, text = d.post("/v1/events?log_type=Amazon.EKS.Audit", gzip.compress(ndjson),
                            ["Content-Encoding: gzip"], token)
        check(code == 200 and matches_of(text) == expected, "events gzip NDJSON with log_type", str(code))
        code, text = d.post("/v1/events", b'{"verb":"get"}\n{broken\n', (), token)
        body = json.loads(text or "{}")
        check(code == 200 and body.get("events") == 2 and body.get("event_errors") == 1 and
              body["errors"][0]["index"] == 1, "a bad NDJSON line is a per-event error", "%d %s" % (code, text))

        page = d.metrics()
        for series, want_min in [('detectd_ingest_requests_total{endpoint="k8s_audit",code="200"}', 4),
                                 ('detectd_ingest_requests_total{endpoint="k8s_audit",code="401"}', 2),
                                 ('detectd_ingest_requests_total{endpoint="k8s_audit",code="413"}', 2),
                                 ('detectd_ingest_errors_total{endpoint="k8s_audit",reason="unauthorized"}', 2),
                                 ('detectd_ingest_errors_total{endpoint="k8s_audit",reason="too_many_events"}', 1),
                                 ('detectd_ingest_errors_total{endpoint="events",reason="event"}', 1),
                                 ('detectd_ingest_events_total{endpoint="events"}', 3 * 256 + 2),
                                 ('detectd_ingest_request_duration_seconds_count{endpoint="events"}', 4)]:
            check(metric(page, series) >= want_min, "metric " + series, str(metric(page, series)))
        d.stop()

        # Overload and timeout, on a listener with a tiny in-flight budget and a 1 s request timeout: a request
        # whose body is still arriving holds the budget, so the next gets 429 with Retry-After; the held one
        # gets 408 when its body does not arrive.
        d = ingest_detectd(args, tmp, ["--ingest_max_inflight_bytes", "1000", "--ingest_request_timeout_seconds", "1"])
        check("unauthenticated" in d.output(), "a warning at start when unauthenticated", d.output())
        held = socket.create_connection(("127.0.0.1", d.ingest_port))
        held.sendall(b"POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: 800\r\n\r\n{\"verb\":")
        deadline = time.time() + 10
        code, text = 0, ""
        while time.time() < deadline:  # Until the held request has been admitted (it reserves the budget).
            code, text = d.post("/v1/events", b'{"verb":"get"}' + b" " * 600, ["Content-Type: application/x-ndjson"])
            if code == 429:
                break
        check(code == 429, "over the in-flight budget: 429", "%d %s" % (code, text))
        out = subprocess.run(["curl", "-sS", "-i", "-X", "POST", "--data-binary", "{}" + " " * 700,
                              "http://127.0.0.1:%d/v1/events" % d.ingest_port], capture_output=True).stdout.decode()
        check("Retry-After: 1" in out or code != 429, "429 carries Retry-After", out[:300])
        held.settimeout(15)
        reply = b""
        try:
            while True:
                chunk = held.recv(4096)
                if not chunk:
                    break
                reply += chunk
        except socket.timeout:
            pass
        check(reply.startswith(b"HTTP/1.1 408"), "a body that does not arrive: 408", reply[:200].decode(errors="replace"))
        code, _ = d.post("/v1/events", b'{"verb":"get"}')
        check(code == 200, "the budget is released after the 408", str(code))
        d.stop()
    return finish("ingest_test")


if __name__ == "__main__":
    sys.exit(main())
