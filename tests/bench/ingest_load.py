#!/usr/bin/python3
"""Load client for detectd's HTTP ingest (the audit webhook path): posts audit.k8s.io/v1 EventLists of
--batch events from an NDJSON file to /v1/k8s-audit (or NDJSON to /v1/events) over keep-alive connections, one
per --concurrency thread, for --duration seconds, as the API server's batching webhook does. Bodies are encoded
once before the clock starts. Prints key=value lines like `detectctl bench`: events_per_second counts only
events of requests answered 200 (evaluated and handed to the alert pipeline).

  python3 tests/bench/ingest_load.py --url http://127.0.0.1:8080/v1/k8s-audit --batch 500 --concurrency 2 \
      --duration 8 events.ndjson
"""
import argparse
import http.client
import json
import ssl
import sys
import threading
import time
import urllib.parse


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", required=True)
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--concurrency", type=int, default=2)
    ap.add_argument("--duration", type=float, default=8)
    ap.add_argument("--token", default="")
    ap.add_argument("--cacert", default="")
    ap.add_argument("--cert", default="")
    ap.add_argument("--key", default="")
    ap.add_argument("events")
    args = ap.parse_args()
    url = urllib.parse.urlsplit(args.url)
    lines = [l for l in open(args.events).read().splitlines() if l.strip()]
    ndjson = url.path.endswith("/v1/events")
    bodies = []
    for i in range(0, len(lines) - args.batch + 1, args.batch):
        chunk = lines[i:i + args.batch]
        if ndjson:
            bodies.append(("\n".join(chunk) + "\n").encode())
        else:
            bodies.append(('{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":[' +
                           ",".join(chunk) + "]}").encode())
    if not bodies:
        sys.exit("fewer events than one batch")
    headers = {"Content-Type": "application/x-ndjson" if ndjson else "application/json"}
    if args.token:
        headers["Authorization"] = "Bearer " + args.token
    context = None
    if url.scheme == "https":
        context = ssl.create_default_context(cafile=args.cacert or None)
        if args.cert:
            context.load_cert_chain(args.cert, args.key or None)

    lock = threading.Lock()
    totals = {"events": 0, "requests": 0, "failed": 0, "matched": 0, "latency": []}
    deadline = time.monotonic() + args.duration

    def worker(offset):
        if context is not None:
            conn = http.client.HTTPSConnection(url.hostname, url.port, context=context)
        else:
            conn = http.client.HTTPConnection(url.hostname, url.port)
        events = requests = failed = matched = 0
        latency = []
        i = offset
        while time.monotonic() < deadline:
            body = bodies[i % len(bodies)]
            i += 1
            start = time.monotonic()
            try:
                conn.request("POST", url.path + ("?" + url.query if url.query else ""), body, headers)
                resp = conn.getresponse()
                reply = resp.read()
            except (OSError, http.client.HTTPException):
                failed += 1
                conn.close()
                continue
            latency.append(time.monotonic() - start)
            requests += 1
            if resp.status == 200:
                r = json.loads(reply)
                events += r["events"]
                matched += r["matched"]
            else:
                failed += 1
        with lock:
            totals["events"] += events
            totals["requests"] += requests
            totals["failed"] += failed
            totals["matched"] += matched
            totals["latency"] += latency

    start = time.monotonic()
    threads = [threading.Thread(target=worker, args=(n * 7,)) for n in range(args.concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    lat = sorted(totals["latency"]) or [0]
    print("events=%d" % totals["events"])
    print("seconds=%.3f" % elapsed)
    print("events_per_second=%.0f" % (totals["events"] / elapsed))
    print("requests=%d" % totals["requests"])
    print("failed_requests=%d" % totals["failed"])
    print("match_rate=%.4f" % (totals["matched"] / max(1, totals["events"])))
    print("p50_ms=%.2f" % (1000 * lat[len(lat) // 2]))
    print("p99_ms=%.2f" % (1000 * lat[min(len(lat) - 1, int(len(lat) * 0.99))]))
    return 0 if totals["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
