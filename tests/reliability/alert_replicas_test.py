#!/usr/bin/python3
"""Alerts across replicas, delivered at least once (issue 10): three detectd processes share one redis-server
(started here on a Unix socket in a temp dir), events are spread over them, and a local webhook receiver must get
exactly the alerts an independent computation expects, each once, with a valid HMAC signature. Three phases, each
with its own dedup keys:
  A  normal operation: every expected alert delivered exactly once.
  B  redis-server SIGKILLed before the events and restarted after them: evaluation goes on (every event answered
     with its match), the store is reported degraded, buffered matches are replayed, every alert delivered once.
  C  the receiver answers 500 while the alerts arrive, one replica is SIGKILLed while it holds undelivered alerts,
     then the receiver recovers: every alert still delivered (at least once; a repeat carries the same alert_id).
The event clock makes the expected alerts independent of timing. On failure it prints the replicas' logs.

  /usr/bin/python3 tests/reliability/alert_replicas_test.py --detectd build/bin/detectd --source .
"""
import hashlib
import hmac
import importlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testing"))
import python_client_test  # noqa: E402  (stub generation)
from detectd_harness import Detectd, arguments, eventually  # noqa: E402

THRESHOLD = 3
RULE = """AnalysisType: rule
RuleID: Test.Exec
DisplayName: Exec into a pod
Enabled: true
LogTypes: [Amazon.EKS.Audit]
Severity: High
DedupPeriodMinutes: 60
Threshold: %d
AlertTitle: "exec by {user.username}"
Detection:
  - Key: verb
    Condition: Equals
    Value: exec
""" % THRESHOLD
SECRET = "s3cret-for-the-test"


class Receiver:
    """Webhook receiver: records every POST (verifying the signature); answers 500 while failing is set."""

    def __init__(self):
        self.lock = threading.Lock()
        self.deliveries = []  # accepted alerts, in order
        self.refused = 0
        self.bad_signatures = 0
        self.failing = False
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # Keep-alive: detectd's webhook sink reuses its connection.

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                want = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
                with receiver.lock:
                    if self.headers.get("X-Detectd-Signature") != want:
                        receiver.bad_signatures += 1
                    if receiver.failing:
                        receiver.refused += 1
                        code = 500
                    else:
                        receiver.deliveries.append(json.loads(body))
                        code = 200
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = "http://127.0.0.1:%d/hook" % self.server.server_address[1]

    def opened(self, prefix):
        with self.lock:
            return [d for d in self.deliveries if d["state"] == "opened" and d["dedup"].startswith("exec by " + prefix)]


class Redis:
    def __init__(self, tmp):
        self.dir = tmp
        self.sock = os.path.join(tmp, "r.sock")
        self.proc = None

    def start(self):
        if os.path.exists(self.sock):
            os.remove(self.sock)
        self.proc = subprocess.Popen(["redis-server", "--port", "0", "--unixsocket", self.sock, "--save", "",
                                      "--appendonly", "no", "--dir", self.dir,
                                      "--logfile", os.path.join(self.dir, "redis.log")])
        eventually(lambda: subprocess.run(["redis-cli", "-s", self.sock, "ping"], capture_output=True).stdout
                   .strip() == b"PONG", 10, "redis-server to answer PING")

    def kill(self):
        """SIGKILL if running."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def replica(detectd, tmp, rules, redis, receiver, update_interval_seconds=1000000, claim_idle_seconds=2,
            partitions=4):
    """One detectd on `rules`, its alerts in `redis`, delivered to `receiver` (signed). The update interval and the
    claim idle time default to what the phases above need (no updates; a dead replica's alerts claimed fast)."""
    secret = os.path.join(tmp, "secret")
    with open(secret, "w") as f:
        f.write(SECRET + "\n")
    return Detectd(detectd, tmp, [
        "--shutdown_grace_seconds", "2", "--alert_store", "unix://" + redis.sock, "--alert_clock", "event",
        "--alert_webhook", receiver.url, "--alert_webhook_secret_file", secret, "--alert_webhook_attempts", "20",
        "--alert_redis_claim_idle_seconds", str(claim_idle_seconds), "--alert_redis_partitions", str(partitions),
        "--alert_update_interval_seconds", str(update_interval_seconds)], rules=rules, port_file=True)


def make_events(prefix, keys, base):
    """Keys prefix0..prefixN-1 get 1..5 matching events each (plus non-matching noise), within 10 minutes of
    `base` (event time); returns (events, expected {dedup: count})."""
    events, expected = [], {}
    for k in range(keys):
        user = "%s%d" % (prefix, k)
        n = k % 5 + 1
        for i in range(n):
            t = base + k * 7 + i * 60 + random.randint(0, 30)
            stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".000000Z"
            events.append({"verb": "exec", "user": {"username": user}, "requestReceivedTimestamp": stamp,
                           "auditID": "%s-%d" % (user, i)})
            events.append({"verb": "get", "user": {"username": user}, "requestReceivedTimestamp": stamp,
                           "auditID": "%s-get-%d" % (user, i)})
        expected["exec by " + user] = n
    random.shuffle(events)
    # The independent computation: one window per key (all its events fall within 10 minutes, below the
    # 60-minute period); an alert where the window holds at least THRESHOLD matches.
    return events, {dedup: n for dedup, n in expected.items() if n >= THRESHOLD}


def send(pb, stubs, events, expect_alert_ids=True):
    """Spreads the events over the replicas in batches of 10; checks every event is answered."""
    answered = 0
    for b in range(0, len(events), 10):
        request = pb.EvaluateRequest()
        for e in events[b:b + 10]:
            request.events.add(id=e["auditID"], json=json.dumps(e).encode())
        response = stubs[(b // 10) % len(stubs)].Evaluate(request, timeout=10)
        for event, result in zip(events[b:b + 10], response.results):
            assert not result.HasField("error"), result
            assert len(result.matches) == (1 if event["verb"] == "exec" else 0), result
            if not expect_alert_ids:
                assert all(m.alert_id == "" for m in result.matches), result
            answered += 1
    assert answered == len(events)


def check_exactly_once(receiver, prefix, expected, allow_repeats):
    got = receiver.opened(prefix)
    by_dedup = {}
    for d in got:
        by_dedup.setdefault(d["dedup"], set()).add(d["alert_id"])
    assert set(by_dedup) == set(expected), "phase %s: alerts %s, expected %s" % (
        prefix, sorted(by_dedup), sorted(expected))
    for dedup, ids in by_dedup.items():
        assert len(ids) == 1, "phase %s: %s delivered with different alert ids %s" % (prefix, dedup, ids)
    for d in got:
        assert d["match_count"] == THRESHOLD and d["rule_id"] == "Test.Exec", d
    repeats = len(got) - len(by_dedup)
    if not allow_repeats:
        assert repeats == 0, "phase %s: %d repeated deliveries" % (prefix, repeats)
    return repeats


def main():
    args = arguments(detectctl=False).parse_args()
    if shutil.which("redis-server") is None or shutil.which("redis-cli") is None:
        print("alert_replicas_test: SKIP: redis-server / redis-cli not installed")
        sys.exit(77)
    import grpc

    tmp = tempfile.mkdtemp(prefix="detect_alerts_")
    replicas = []
    redis = Redis(tmp)
    ok = False
    try:
        python_client_test.generate_stubs(args.source, tmp)
        pb = importlib.import_module("detect.v1.detect_pb2")
        pb_grpc = importlib.import_module("detect.v1.detect_pb2_grpc")
        rules = os.path.join(tmp, "rules")
        os.makedirs(rules)
        with open(os.path.join(rules, "exec.yml"), "w") as f:
            f.write(RULE)
        redis.start()
        receiver = Receiver()
        replicas = [replica(args.detectd, tmp, rules, redis, receiver) for _ in range(3)]
        channels = [grpc.insecure_channel("127.0.0.1:%d" % r.port) for r in replicas]
        stubs = [pb_grpc.DetectionServiceStub(c) for c in channels]
        base = 1700000000
        start = time.time()

        # A: normal operation.
        events, expected_a = make_events("a", 40, base)
        send(pb, stubs, events)
        eventually(lambda: len(receiver.opened("a")) >= len(expected_a), 15, "phase A alerts")

        # B: Redis down while the events arrive, then back (empty: no persistence).
        redis.kill()
        events, expected_b = make_events("b", 40, base)
        send(pb, stubs, events, expect_alert_ids=False)
        assert all(r.metric("detect_alert_store_degraded") == 1 for r in replicas), "degraded gauge not set"
        redis.start()
        eventually(lambda: len(receiver.opened("b")) >= len(expected_b), 20, "phase B alerts after Redis returned")
        eventually(lambda: all(r.metric("detect_alert_store_degraded") == 0 for r in replicas), 10,
                   "degraded gauge cleared")

        # C: the receiver fails; a replica dies holding undelivered alerts; the others deliver them.
        with receiver.lock:
            receiver.failing = True
        events, expected_c = make_events("c", 40, base)
        send(pb, stubs, events)
        eventually(lambda: receiver.refused >= 3, 10, "delivery attempts to the failing receiver")
        replicas[0].proc.send_signal(signal.SIGKILL)
        replicas[0].proc.wait()
        with receiver.lock:
            receiver.failing = False
        eventually(lambda: {d["dedup"] for d in receiver.opened("c")} >= set(expected_c), 20,
                   "phase C alerts after a replica was killed")

        check_exactly_once(receiver, "a", expected_a, False)
        check_exactly_once(receiver, "b", expected_b, False)
        repeats = check_exactly_once(receiver, "c", expected_c, True)
        assert receiver.bad_signatures == 0, "%d requests with a wrong signature" % receiver.bad_signatures
        for r in replicas[1:]:
            assert r.stop(30) == 0, "detectd exited %s after SIGTERM" % r.proc.returncode
        ok = True
        print("alert_replicas_test: PASS (%d+%d+%d alerts, %d repeated in phase C, %d refused, %.1f s)" % (
            len(expected_a), len(expected_b), len(expected_c), repeats, receiver.refused, time.time() - start))
    finally:
        for r in replicas:
            r.kill()
        redis.kill()
        if not ok:
            for r in replicas:
                sys.stderr.write("---- %s\n" % r.log_path)
                sys.stderr.write(open(r.log_path).read()[-6000:])
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
