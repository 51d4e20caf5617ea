#!/usr/bin/python3
"""The README's "Alerts in two minutes" steps, run exactly (loopback, port 0 instead of 50051, and a metrics port
of 0 so that parallel tests do not collide): detectd with --alert_file=-, `detectctl alerts --since 0` following
over WatchAlerts, `detectctl stream` of the seed events. Checks one alert per (rule, dedup key) of the matches of
rules with CreateAlert true and Threshold 1 (read from `detectctl rules --format json`), on detectd's stdout and in `detectctl alerts` with the same alert ids; that the
README's count (5) is still true; that sending the events again opens no alert; and that SIGTERM ends the watch
with the id to resume from.

  /usr/bin/python3 tests/integration/readme_alerts_test.py --detectd build/bin/detectd \
      --detectctl build/bin/detectctl --source .
"""
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testing"))
from detectd_harness import Detectd, arguments, wait_for  # noqa: E402

# The README block, verbatim (the test fails if the README drifts from what it runs).
README_STEPS = [
    "build/bin/detectd --rules rules/ --listen 127.0.0.1:50051 --alert_file=- &",
    "build/bin/detectctl alerts --server localhost:50051 --since 0 &",
    "build/bin/detectctl stream --server localhost:50051 tests/testdata/seed_events.ndjson",
]
README_ALERTS = 5


def fail(msg, *files):
    print("FAIL:", msg, file=sys.stderr)
    for f in files:
        print("----- %s -----" % f, file=sys.stderr)
        try:
            print(open(f).read()[-4000:], file=sys.stderr)
        except OSError as e:
            print(e, file=sys.stderr)
    sys.exit(1)


def main():
    args = arguments().parse_args()
    os.chdir(args.source)
    readme = open("README.md").read()
    for step in README_STEPS:
        if step not in readme:
            fail("README.md no longer has the step this test runs: " + step)
    if "**%d alerts**" % README_ALERTS not in readme:
        fail("README.md no longer says **%d alerts**" % README_ALERTS)

    tmp = tempfile.mkdtemp(prefix="readme_alerts_")
    out_path = os.path.join(tmp, "detectd.out")
    watch_out, watch_err = os.path.join(tmp, "alerts.out"), os.path.join(tmp, "alerts.err")
    # Step 1, with port 0 (and the metrics port 0: its default 9090 may be taken). Exits printing its log if it
    # does not start.
    detectd = Detectd(args.detectd, tmp, ["--alert_file=-"], rules="rules/", stdout_path=out_path)
    files = [detectd.log_path, out_path, watch_out, watch_err]
    watcher = None
    try:
        server = "localhost:%d" % detectd.port
        # Step 2.
        watcher = subprocess.Popen([args.detectctl, "alerts", "--server", server, "--since", "0"],
                                   stdout=open(watch_out, "w"), stderr=open(watch_err, "w"))
        # Step 3.
        stream = subprocess.run([args.detectctl, "stream", "--server", server,
                                 "tests/testdata/seed_events.ndjson"], capture_output=True, text=True)
        if stream.returncode != 0 or "matches=9" not in stream.stderr:
            fail("detectctl stream: exit %d\n%s%s" % (stream.returncode, stream.stdout, stream.stderr), *files)

        # Which keys must alert: matches of rules with CreateAlert true and Threshold 1.
        rules = json.loads(subprocess.run([args.detectctl, "rules", "--server", server, "--format", "json"],
                                          capture_output=True, text=True, check=True).stdout)["rules"]
        alerting = {r["rule_id"] for r in rules if r.get("create_alert") and r.get("threshold", 1) <= 1}
        matches = [json.loads(l) for l in subprocess.run(
            [args.detectctl, "eval", "--rules", "rules/", "--format", "ndjson", "tests/testdata/seed_events.ndjson"],
            capture_output=True, text=True, check=True).stdout.splitlines()]
        want = {(m["rule_id"], m["dedup"]) for m in matches if m["rule_id"] in alerting}
        if len(want) != README_ALERTS:
            fail("the seed events should make %d alerts as the README says; they make %d: %s"
                 % (README_ALERTS, len(want), sorted(want)))

        def lines(path):
            return [l for l in open(path).read().splitlines() if l.strip()]
        got = wait_for(lambda: len(lines(out_path)) >= README_ALERTS and len(lines(watch_out)) >= README_ALERTS)
        if not got:
            fail("expected %d alerts on detectd's stdout and from detectctl alerts" % README_ALERTS, *files)
        alerts = [json.loads(l) for l in lines(out_path)]
        keys = [(a["rule_id"], a["dedup"]) for a in alerts]
        if sorted(keys) != sorted(want):
            fail("one alert per (rule, dedup key) expected: got %s, want %s" % (sorted(keys), sorted(want)), *files)
        for a in alerts:
            if a["state"] != "opened" or not re.fullmatch(r"[0-9a-f]{32}", a["alert_id"]):
                fail("unexpected alert " + json.dumps(a), *files)
        watched = lines(watch_out)
        for a in alerts:
            if not any("  %s  %s  " % (a["rule_id"], a["dedup"]) in l for l in watched):
                fail("detectctl alerts did not print %s / %s" % (a["rule_id"], a["dedup"]), *files)
        if len(watched) != README_ALERTS:
            fail("detectctl alerts printed %d lines" % len(watched), *files)
        # The watch's ids are the same alerts: resume from the third, over NDJSON, and compare alert ids.
        third = re.search(r"\[(mem-[0-9]+-[0-9]+)\]$", watched[2])
        if not third:
            fail("no log id on a detectctl alerts line: " + watched[2], *files)
        resumed = subprocess.Popen([args.detectctl, "alerts", "--server", server, "--since", third.group(1),
                                    "--format", "ndjson"], stdout=subprocess.PIPE, text=True)
        tail = [json.loads(resumed.stdout.readline()) for _ in range(README_ALERTS - 3)]
        resumed.terminate()
        resumed.wait(10)
        if [t["alert_id"] for t in tail] != [a["alert_id"] for a in alerts[3:]]:
            fail("resumed watch: %s, want the last %d alerts of --alert_file" % (tail, README_ALERTS - 3), *files)

        # Again within the hour: the matches join the open alerts; nothing new is delivered.
        metric = detectd.metric  # -1 when the series is absent.
        joined = metric("detect_alert_matches_joined_total")
        if subprocess.run([args.detectctl, "stream", "--server", server, "tests/testdata/seed_events.ndjson"],
                          capture_output=True).returncode != 0:
            fail("second stream failed", *files)
        if not wait_for(lambda: metric("detect_alert_matches_joined_total") >= joined + 6):
            fail("the second round's matches did not join the open alerts", *files)
        if metric("detect_alerts_opened_total") != README_ALERTS or len(lines(out_path)) != README_ALERTS:
            fail("sending the events again opened alerts", *files)

        # SIGTERM: the watch ends with the id to resume from; detectd exits 0.
        detectd.terminate()
        try:
            rc = detectd.proc.wait(30)
            wrc = watcher.wait(30)
        except subprocess.TimeoutExpired:
            fail("detectd or detectctl alerts did not exit after SIGTERM", *files)
        if rc != 0:
            fail("detectd exited %d" % rc, *files)
        if wrc != 1 or "resume with --since mem-" not in open(watch_err).read():
            fail("detectctl alerts should exit 1 naming the id to resume from (exit %d)" % wrc, *files)
        print("ok: %d alerts on stdout and over WatchAlerts, none opened again, watch ended on SIGTERM" % len(alerts))
    finally:
        if watcher is not None and watcher.poll() is None:
            watcher.kill()
        detectd.kill()


if __name__ == "__main__":
    main()
