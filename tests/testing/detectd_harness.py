"""The one copy of what the Python tests that run the real detectd binary share (tests/integration, tests/otlp,
tests/reliability): their command line, detectd started on port 0 with its log in the test's temp dir and waited
for (its "serving" log line), stopped with SIGTERM and checked to exit 0 (its log printed when not), POSTs with
curl, /metrics series, the matches `detectctl eval` finds (the differential tests' expectation), polling with a
deadline (never a fixed sleep), and the list of failed checks that sets the exit code.

A test finds this module from its own location, so it runs the same under ctest and by hand:
  sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testing"))
  import detectd_harness as h
"""
import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time

# Failed check() descriptions, in order; finish() turns them into the exit code. Module state: one test a process.
FAILURES = []


def check(cond, what, detail=""):
    """Records a failed check (printing what it checks and the detail: the reply, the log) and goes on."""
    if not cond:
        FAILURES.append(what)
        print("FAIL: %s %s" % (what, str(detail)[:3000]), file=sys.stderr)
    return cond


def finish(name):
    """The exit code of a test made of check()s: 1, naming the failed checks, if any failed; else 0."""
    if FAILURES:
        print("%s: %d check(s) failed: %s" % (name, len(FAILURES), "; ".join(FAILURES)), file=sys.stderr)
        return 1
    print("%s: all checks passed" % name)
    return 0


def arguments(description=None, detectctl=True):
    """The parser of the arguments CMake passes every such test: --detectd, --detectctl (when used), --source."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--detectd", required=True)
    if detectctl:
        parser.add_argument("--detectctl", required=True)
    parser.add_argument("--source", default=".", help="the repository (rules/, tests/testdata/)")
    return parser


def wait_for(pred, seconds=30, interval=0.05):
    """pred()'s first true value, polling until `seconds` have passed; then pred() once more (a slow last poll is
    not lost), whatever it returns."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = pred()
        if value:
            return value
        time.sleep(interval)
    return pred()


def eventually(pred, timeout, what, interval=0.05):
    """wait_for() that raises AssertionError naming `what` when pred() never holds."""
    if not wait_for(pred, timeout, interval):
        raise AssertionError("timed out (%ss) waiting for %s" % (timeout, what))


def nonblank_lines(path):
    with open(path) as f:
        return [line for line in f.read().splitlines() if line.strip()]


def metric(page, series):
    """The value of `series` (name with its labels, exactly as exposed) on a /metrics page; -1 when absent."""
    for line in page.splitlines():
        if line.startswith(series + " "):
            return float(line.split()[-1])
    return -1


def metrics_page(port):
    return subprocess.run(["curl", "-sS", "--max-time", "30", "http://127.0.0.1:%d/metrics" % port],
                          capture_output=True).stdout.decode(errors="replace")


def expected_matches(args, events_file, rules=None):
    """(0-based line index, rule_id) of every match `detectctl eval` finds in the NDJSON file."""
    out = subprocess.run([args.detectctl, "eval", "--rules", rules or os.path.join(args.source, "rules"),
                          "--format", "ndjson", events_file], capture_output=True).stdout.decode()
    got = set()
    for line in out.splitlines():
        if line.startswith("{"):
            m = json.loads(line)
            got.add((m["line"] - 1, m["rule_id"]))
    return got


class Detectd:
    """One detectd process a test starts: --listen, --metrics_listen on 127.0.0.1:0, rules not watched, then
    `flags` (a later flag overrides an earlier one); stdout and stderr into its own log file in `tmp` (stdout into
    `stdout_path` instead when given). The constructor returns once detectd logs "serving" and sets port,
    metrics_port, ingest_port from that line; if detectd exits first or 30 s pass, the test exits printing the
    log. With port_file it also passes --port_file and checks the file names the same port.
    Owns the process (kill() in a test's cleanup); one thread uses it."""

    def __init__(self, binary, tmp, flags=(), rules=None, source=".", stdout_path=None, port_file=False,
                 name="detectd"):
        n = 0
        while os.path.exists(os.path.join(tmp, "%s-%d.log" % (name, n))):
            n += 1
        self.tmp = tmp
        self.log_path = os.path.join(tmp, "%s-%d.log" % (name, n))
        self.log = open(self.log_path, "w")
        self.stdout = open(stdout_path, "w") if stdout_path else self.log
        self.port_file = os.path.join(tmp, "%s-%d.port" % (name, n)) if port_file else None
        cmd = [binary, "--rules", rules or os.path.join(source, "rules"), "--listen", "127.0.0.1:0",
               "--metrics_listen", "127.0.0.1:0", "--watch_rules=false"]
        if self.port_file:
            cmd += ["--port_file", self.port_file]
        self.proc = subprocess.Popen(cmd + list(flags), stdout=self.stdout, stderr=self.log)
        serving = wait_for(lambda: self._serving() or self.proc.poll() is not None)
        if serving is not True and serving:
            self.serving = serving
            self.port, self.metrics_port = serving["port"], serving["metrics_port"]
            self.ingest_port = serving["ingest_port"]
            if self.port_file:
                written = open(self.port_file).read().strip()
                assert written == str(self.port), "--port_file holds %r, detectd serves on %d" % (written, self.port)
            return
        self.kill()
        sys.exit("detectd did not start (exit %s): %s\n%s" % (self.proc.returncode, " ".join(cmd + list(flags)),
                                                              self.output()))

    def _serving(self):
        """The "serving" log line as a dict, once it has been written whole (up to its newline)."""
        m = re.search(r'^\{.*"msg":"serving".*\n', self.output(), re.M)
        return json.loads(m.group(0)) if m else None

    def output(self):
        """detectd's log so far."""
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def curl_post(self, path, body, headers=(), token=None, curl_args=(), base_url=None):
        """curl POST of `body` to `path` on the ingest port (or base_url); returns (curl's exit code, HTTP status
        (0: no answer), reply body, curl's stderr)."""
        body_file = os.path.join(self.tmp, "body")
        with open(body_file, "wb") as f:
            f.write(body)
        cmd = ["curl", "-sS", "--max-time", "60", "-o", "-", "-w", "\n%{http_code}", "-X", "POST",
               "--data-binary", "@" + body_file] + list(curl_args)
        for h in headers:
            cmd += ["-H", h]
        if token:
            cmd += ["-H", "Authorization: Bearer " + token]
        p = subprocess.run(cmd + [(base_url or "http://127.0.0.1:%d" % self.ingest_port) + path],
                           capture_output=True)
        text, _, code = p.stdout.decode(errors="replace").rpartition("\n")
        return p.returncode, int(code or 0), text, p.stderr.decode(errors="replace")

    def post(self, path, body, headers=(), token=None):
        """curl POST on the ingest port; returns (HTTP status, reply body)."""
        _, code, text, _ = self.curl_post(path, body, headers, token)
        return code, text

    def metrics(self):
        return metrics_page(self.metrics_port)

    def metric(self, series):
        return metric(self.metrics(), series)

    def terminate(self):
        self.proc.send_signal(signal.SIGTERM)

    def wait_exit(self, seconds=20):
        """detectd's exit code once it has exited (killed after `seconds`: "timeout"), checked to be 0."""
        try:
            code = self.proc.wait(seconds)
        except subprocess.TimeoutExpired:
            self.kill()
            code = "timeout"
        check(code == 0, "detectd exits 0 on SIGTERM", "exit %s\n%s" % (code, self.output()))
        return code

    def stop(self, seconds=20):
        """SIGTERM; the exit code (see wait_exit)."""
        self.terminate()
        return self.wait_exit(seconds)

    def kill(self):
        """SIGKILL if still running (a test's cleanup)."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


# An ingest listener on 127.0.0.1:0 and 5 s of shutdown grace.
INGEST_FLAGS = ["--ingest_listen", "127.0.0.1:0", "--shutdown_grace_seconds", "5"]


def ingest_detectd(args, tmp, flags=()):
    """detectd on the bundled rules with INGEST_FLAGS, then `flags`."""
    return Detectd(args.detectd, tmp, INGEST_FLAGS + list(flags), source=args.source)


# The eks_audit_256 test events (one EKS audit event a line) and helpers of the HTTP ingest tests.
def audit_events_file(args):
    return os.path.join(args.source, "tests", "testdata", "eks_audit_256.ndjson")


def matches_of(text):
    """(index, rule_id) of an ingest reply's matches; None if the reply is not one."""
    try:
        return {(m["index"], m["rule_id"]) for m in json.loads(text)["matches"]}
    except (ValueError, KeyError):
        return None


def event_list(events):
    """A Kubernetes audit EventList holding `events`, as the API server's webhook sends it."""
    return json.dumps({"kind": "EventList", "apiVersion": "audit.k8s.io/v1", "metadata": {},
                       "items": events}).encode()
