#!/usr/bin/python3
"""Alerts at scale equal the offline replay (issue 10): 200,000 generated EKS audit events
(../shared/bench/gen_eks_audit.py --seed 7) are split over 3 detectd replicas on the bundled rule pack (rules/:
real DedupPeriodMinutes, Threshold and the distinct threshold of Kubernetes.BulkSecretAccess), sharing one
redis-server started here on a Unix socket in a temp dir (--alert_clock=event), over several concurrent
StreamEvaluate streams of raw JSON. The alerts delivered to a local webhook receiver must equal what
`detectctl eval --alerts` (the offline replay, by event time, in file order) prints for the same file: the same
alerts (alert_id, rule, dedup, window), each opened exactly once, and the final delivered state of each (the
delivery with the highest match_count) equal to the replay's: match_count, distinct_count, first/last event time,
title, severities, sample event ids. No alert missing, none extra, no window with two alert ids.

Why the events are split by window key, not in contiguous chunks or round robin. A window's state depends on the
order its matches arrive in: the first match to arrive opens it (window_start, hence alert_id; window_end; the
title, severity and alert context are the opener's; the sample ids are the first ten to arrive), and a match is
placed in a window by comparing its time with the window that is open when it arrives. The generator's event
times rise by the second but not within one (microseconds are (i * 7919) mod 10^6), so no arrival order of a
key's matches is "sorted" except the file's, which is the replay's. Matches of one key arriving over two
replicas at once race in Redis (correctly: one alert, one id; but which match opens the window is the race's),
so exact equality with a sequential replay needs each key's matches to arrive in file order. The test therefore
asks `detectctl eval` which (rule id, dedup) keys each event matches, joins the keys that share an event into
components (union-find: an event that matches two keys must go where both go), and gives every component's events
to one stream, in file order; events that match nothing are dealt round robin. Each stream reads one batch at a
time and detectd records a batch's matches in event order before it answers, so a stream preserves order; the
streams (two per replica) run concurrently, so different keys' windows are updated concurrently on every replica
and in Redis. (With all windows here lasting at least 15 minutes and the 200k events spanning 3.3 minutes of
event time, every key has exactly one window whatever the order, but which match opens it is order-dependent.)

Final counts: deliveries are coalesced (--alert_update_interval_seconds, here 1, compared in event time for
updates and in processing time for the final update, docs/alerts.md), so the last matches of an alert arrive as
a final update about a second after them; the test polls (deadline) until the delivered state equals the replay
and every alert-log entry is acknowledged (XPENDING 0), never sleeping a fixed time.

Sanitizer builds (--sanitized, set by CMake from CMAKE_CXX_FLAGS) evaluate several times slower: there the event
count is scaled down (printed); the normal build always runs 200,000. Exit 77 (skipped, with the reason) without
../shared (a user's clone) or without redis-server. On failure it prints the first 20 differing alerts of each
side, the replicas' logs and Redis INFO.

  /usr/bin/python3 tests/reliability/alert_pack_test.py --detectd build/bin/detectd \\
      --detectctl build/bin/detectctl --source .
"""
import collections
import importlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testing"))
import python_client_test  # noqa: E402  (stub generation)
from alert_replicas_test import Receiver, Redis, replica  # noqa: E402
from detectd_harness import arguments, eventually  # noqa: E402

EVENTS = 200000
SANITIZED_EVENTS = 50000  # ASan/UBSan evaluate ~5x slower and 3 replicas share 2 cores: keep the run in minutes.
SEED = 7
STREAMS = 6  # Two concurrent StreamEvaluate streams per replica.
BATCH = 500
REPLICAS = 3
# Compared between the replay and the final delivery of each alert (state differs by design: the replay prints
# each alert once as "opened"). In this order in failure reports, the long ones last.
FIELDS = ["alert_id", "rule_id", "dedup", "window_start", "window_end", "match_count", "distinct_count",
          "first_event_time", "last_event_time", "title", "severity", "highest_severity", "threshold_field",
          "threshold", "dedup_period_minutes", "sample_event_ids", "alert_context"]
AUDIT_ID = re.compile(rb'"auditID":"([^"]*)"')


def log(msg):
    print("alert_pack_test: " + msg, flush=True)


def replay_and_matches(detectctl, rules, events, tmp):
    """The expected alerts (detectctl eval --alerts) and, per input line (1-based), the keys it matches."""
    replay_out = open(os.path.join(tmp, "replay.ndjson"), "w")
    matches_out = open(os.path.join(tmp, "matches.ndjson"), "w")
    replay = subprocess.Popen([detectctl, "eval", "--alerts", "--rules", rules, "--format", "ndjson", events],
                              stdout=replay_out, stderr=subprocess.PIPE)
    matches = subprocess.Popen([detectctl, "eval", "--rules", rules, "--format", "ndjson", "--fields",
                                "line,rule_id,dedup", events], stdout=matches_out, stderr=subprocess.PIPE)
    for name, p in (("eval --alerts", replay), ("eval", matches)):
        err = p.communicate()[1].decode()
        if p.returncode != 0:
            raise AssertionError("detectctl %s failed (%d):\n%s" % (name, p.returncode, err))
        log("detectctl %s: %s" % (name, err.strip().splitlines()[-1] if err.strip() else ""))
    replay_out.close()
    matches_out.close()
    expected = [json.loads(line) for line in open(replay_out.name) if line.strip()]
    keys_of_line = collections.defaultdict(list)
    for line in open(matches_out.name):
        m = json.loads(line)
        keys_of_line[m["line"]].append((m["rule_id"], m["dedup"]))
    return expected, keys_of_line


def partition(count, keys_of_line, streams):
    """Line numbers (1-based, ascending) per stream: the events of one component of keys (keys joined by an event
    matching both) on one stream, components balanced largest first; events without matches round robin."""
    parent = {}

    def find(k):
        parent.setdefault(k, k)
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for keys in keys_of_line.values():
        for k in keys[1:]:
            a, b = find(keys[0]), find(k)
            if a != b:
                parent[a] = b
    lines_of = collections.defaultdict(list)
    for line, keys in keys_of_line.items():
        lines_of[find(keys[0])].append(line)
    load = [0] * streams
    stream_of = {}
    for comp in sorted(lines_of, key=lambda c: (-len(lines_of[c]), c)):
        s = load.index(min(load))
        load[s] += len(lines_of[comp])
        for line in lines_of[comp]:
            stream_of[line] = s
    out = [[] for _ in range(streams)]
    rr = 0
    for line in range(1, count + 1):
        s = stream_of.get(line)
        if s is None:
            s = rr % streams
            rr += 1
        out[s].append(line)
    return out, len(lines_of)


def stream_events(pb, stub, lines, events, results):
    """One StreamEvaluate: the given events (raw JSON, id = auditID) in order, BATCH per message; records
    (answered, matches, errors) in results."""
    def requests():
        for b in range(0, len(lines), BATCH):
            request = pb.EvaluateRequest()
            for line in lines[b:b + BATCH]:
                raw = events[line - 1]
                request.events.add(id=AUDIT_ID.search(raw).group(1).decode(), json=raw)
            yield request

    answered = matches = 0
    errors = []
    try:
        for response in stub.StreamEvaluate(requests(), timeout=600):
            for result in response.results:
                answered += 1
                matches += len(result.matches)
                if result.HasField("error") and len(errors) < 5:
                    errors.append(str(result.error))
    except Exception as e:  # noqa: BLE001  (reported by the main thread)
        errors.append("stream failed: %r" % e)
    results.append((answered, matches, errors))


def final_states(receiver):
    """alert_id -> the delivery with the highest match_count; and the number of "opened" deliveries per id."""
    with receiver.lock:
        deliveries = list(receiver.deliveries)
    final, opened = {}, collections.Counter()
    for d in deliveries:
        if d["state"] == "opened":
            opened[d["alert_id"]] += 1
        if d["alert_id"] not in final or d["match_count"] > final[d["alert_id"]]["match_count"]:
            final[d["alert_id"]] = d
    return final, opened, len(deliveries)


def differences(expected, receiver):
    """(differing replay alerts, differing delivered alerts, problems): empty lists when delivery equals replay."""
    final, opened, _ = final_states(receiver)
    want = {a["alert_id"]: {f: a.get(f) for f in FIELDS} for a in expected}
    got = {i: {f: d.get(f) for f in FIELDS} for i, d in final.items()}
    only_want = [want[i] for i in sorted(want) if got.get(i) != want[i]]
    only_got = [got[i] for i in sorted(got) if want.get(i) != got[i]]
    problems = ["alert %s opened %d times" % (i, n) for i, n in sorted(opened.items()) if n != 1]
    problems += ["alert %s never delivered as opened" % i for i in sorted(got) if opened[i] == 0]
    windows = collections.defaultdict(set)
    for d in final.values():
        windows[(d["rule_id"], d["dedup"], d["window_start"])].add(d["alert_id"])
    problems += ["window %r delivered with %d alert ids" % (w, len(ids)) for w, ids in windows.items() if len(ids) > 1]
    return only_want, only_got, problems


def pending(redis_sock):
    """Alert-log entries read but not acknowledged, over every partition stream."""
    keys = subprocess.run(["redis-cli", "-s", redis_sock, "--scan", "--pattern", "detectd:*:alerts"],
                          capture_output=True, text=True).stdout.split()
    total = 0
    for k in keys:
        out = subprocess.run(["redis-cli", "-s", redis_sock, "XPENDING", k, "detectd"], capture_output=True,
                             text=True).stdout.split()
        total += int(out[0]) if out and out[0].lstrip("-").isdigit() else 0
    return total, len(keys)


def report_failure(expected, receiver, replicas, redis):
    only_want, only_got, problems = differences(expected, receiver)
    _, _, deliveries = final_states(receiver)
    sys.stderr.write("---- %d alerts expected, %d deliveries received, %d differ on each side (replay %d, "
                     "delivered %d)\n" % (len(expected), deliveries, max(len(only_want), len(only_got)),
                                          len(only_want), len(only_got)))
    for p in problems[:20]:
        sys.stderr.write("problem: %s\n" % p)
    for a in only_want[:20]:
        sys.stderr.write("replay only/differs:    %s\n" % json.dumps(a))
    for a in only_got[:20]:
        sys.stderr.write("delivered only/differs: %s\n" % json.dumps(a))
    for r in replicas:
        sys.stderr.write("---- %s (last 6000 characters)\n" % r.log_path)
        sys.stderr.write(open(r.log_path).read()[-6000:])
    if redis.proc is not None and redis.proc.poll() is None:
        info = subprocess.run(["redis-cli", "-s", redis.sock, "INFO"], capture_output=True, text=True).stdout
        sys.stderr.write("---- redis INFO\n" + info)
    redis_log = os.path.join(redis.dir, "redis.log")
    if os.path.exists(redis_log):
        sys.stderr.write("---- redis.log\n" + open(redis_log).read()[-3000:])


def main():
    parser = arguments(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", help="default: SOURCE/../shared")
    parser.add_argument("--events", type=int, help="default: %d (%d with --sanitized)" % (EVENTS, SANITIZED_EVENTS))
    parser.add_argument("--sanitized", action="store_true", help="the binaries are built with a sanitizer")
    parser.add_argument("--timeout", type=float, help="seconds to wait for the deliveries once every event is "
                        "answered (default 120, 300 with --sanitized)")
    args = parser.parse_args()
    source = os.path.abspath(args.source)
    shared = os.path.abspath(args.shared or os.path.join(source, "..", "shared"))
    generator = os.path.join(shared, "bench", "gen_eks_audit.py")
    if not os.path.isfile(generator):
        log("SKIP: %s not found; this test generates its events with ../shared/bench beside the repository" %
            generator)
        sys.exit(77)
    if shutil.which("redis-server") is None or shutil.which("redis-cli") is None:
        log("SKIP: redis-server / redis-cli not installed")
        sys.exit(77)
    count = args.events
    if count is None:
        count = SANITIZED_EVENTS if args.sanitized else EVENTS
        if args.sanitized:
            log("sanitizer build: %d events instead of %d (sanitized detectd evaluates several times slower)" %
                (count, EVENTS))
    import grpc

    tmp = tempfile.mkdtemp(prefix="detect_alert_pack_")
    rules = os.path.join(source, "rules")
    replicas, channels = [], []
    redis = Redis(tmp)
    receiver = None
    expected = []
    ok = False
    start = time.time()
    try:
        python_client_test.generate_stubs(source, tmp)
        pb = importlib.import_module("detect.v1.detect_pb2")
        pb_grpc = importlib.import_module("detect.v1.detect_pb2_grpc")
        events_path = os.path.join(tmp, "events.ndjson")
        with open(events_path, "wb") as f:
            subprocess.run([sys.executable, generator, str(count), "--seed", str(SEED)], stdout=f, check=True)
        with open(events_path, "rb") as f:
            events = [line.rstrip(b"\n") for line in f if line.strip()]
        assert len(events) == count, "generator wrote %d events, asked for %d" % (len(events), count)
        expected, keys_of_line = replay_and_matches(args.detectctl, rules, events_path, tmp)
        want_matches = sum(len(k) for k in keys_of_line.values())
        per_stream, components = partition(count, keys_of_line, STREAMS)
        assert len(expected) > 100 and any(a["rule_id"] == "Kubernetes.BulkSecretAccess" for a in expected), (
            "the replay should hold many alerts, among them the distinct threshold's: %d" % len(expected))
        log("%d events, %d matches of %d keys in %d components, %d alerts expected; streams of %s events (%.1f s)"
            % (count, want_matches, len({k for ks in keys_of_line.values() for k in ks}), components, len(expected),
               "/".join(str(len(s)) for s in per_stream), time.time() - start))

        redis.start()
        receiver = Receiver()
        replicas = [replica(args.detectd, tmp, rules, redis, receiver, update_interval_seconds=1,
                            claim_idle_seconds=60, partitions=16) for _ in range(REPLICAS)]
        channels = [grpc.insecure_channel("127.0.0.1:%d" % r.port) for r in replicas]
        stubs = [pb_grpc.DetectionServiceStub(c) for c in channels]
        sent = time.time()
        results = []
        threads = [threading.Thread(target=stream_events, args=(pb, stubs[s % REPLICAS], per_stream[s], events,
                                                                results)) for s in range(STREAMS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        answered = sum(r[0] for r in results)
        matched = sum(r[1] for r in results)
        errors = [e for r in results for e in r[2]]
        assert not errors, "stream errors: %s" % errors[:5]
        assert answered == count, "%d events answered of %d" % (answered, count)
        assert matched == want_matches, "%d matches answered, detectctl eval found %d" % (matched, want_matches)
        at_end = final_states(receiver)[2]
        log("%d events evaluated over %d streams in %.1f s" % (count, STREAMS, time.time() - sent))

        def settled():
            only_want, only_got, problems = differences(expected, receiver)
            return not only_want and not only_got and not problems and pending(redis.sock)[0] == 0

        eventually(settled, args.timeout or (300 if args.sanitized else 120),
                   "the delivered alerts to equal the replay, all acknowledged",
                   interval=0.5)  # Comparing thousands of deliveries: not too often (the receiver needs the GIL).
        settle = time.time() - sent
        assert receiver.bad_signatures == 0, "%d requests with a wrong signature" % receiver.bad_signatures
        _, _, deliveries = final_states(receiver)
        for r in replicas:
            r.terminate()
        for r in replicas:
            assert r.wait_exit(60) == 0, "detectd exited %s" % r.proc.returncode
        ok = True
        log("PASS: %d alerts delivered exactly as replayed (%d deliveries, %d after the last event; all delivered "
            "%.1f s after the first event sent), %.1f s in all" % (len(expected), deliveries, deliveries - at_end,
                                                                  settle, time.time() - start))
    finally:
        if not ok and receiver is not None:
            report_failure(expected, receiver, replicas, redis)
        for c in channels:
            c.close()
        for r in replicas:
            r.kill()
        redis.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
