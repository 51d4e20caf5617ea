#!/usr/bin/python3
"""/v1/firehose against the real detectd binary, with curl sending requests built as Amazon Data Firehose builds
them for a CloudWatch Logs subscription (EKS audit logs): a JSON envelope {requestId, timestamp, records[].data}
whose data are base64 of gzip-compressed CloudWatch Logs subscription messages (several records per request,
a CONTROL_MESSAGE among them), Firehose's headers, with and without Content-Encoding: gzip. Replies are checked
field by field (requestId echoed, timestamp in ms, errorMessage only on failure with a non-2xx status); a wrong
or missing access key, bad base64, bad gzip and an over-limit record are refused. Differential: the matches per
rule (detectd_ingest_rule_matches_total{endpoint="firehose"}) equal `detectctl eval` over the same events.

  /usr/bin/python3 tests/integration/firehose_test.py --detectd build/bin/detectd --detectctl build/bin/detectctl \
      --source .
"""
import base64
import collections
import gzip
import json
import os
import re
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testing"))
from detectd_harness import (arguments, audit_events_file, check, expected_matches, finish,  # noqa: E402
                             ingest_detectd, metric, nonblank_lines)

ACCESS_KEY = "fh-access-key-0123456789"
STREAM_ARN = "arn:aws:firehose:us-east-1:123456789012:deliverystream/eks-audit-to-detectd"


def cloudwatch_message(cluster, stream, events, first_id):
    """The subscription message CloudWatch Logs gives Firehose (before gzip)."""
    return {"messageType": "DATA_MESSAGE", "owner": "123456789012", "logGroup": "/aws/eks/%s/cluster" % cluster,
            "logStream": stream, "subscriptionFilters": ["detectd-audit"],
            "logEvents": [{"id": str(36000000000000000000000000000000000000000000000000000000 + first_id + i),
                           "timestamp": 1700000000000 + i, "message": json.dumps(e, separators=(",", ":"))}
                          for i, e in enumerate(events)]}


CONTROL = {"messageType": "CONTROL_MESSAGE", "owner": "CloudwatchLogs", "logGroup": "", "logStream": "",
           "subscriptionFilters": [], "logEvents": [{"id": "", "timestamp": 1700000000000,
                                                     "message": "CWL CONTROL MESSAGE: Checking health of destination Firehose."}]}


def record(message_bytes):
    return {"data": base64.b64encode(gzip.compress(message_bytes)).decode()}


def envelope(request_id, records):
    return json.dumps({"requestId": request_id, "timestamp": int(time.time() * 1000), "records": records}).encode()


def post_firehose(d, body, request_id, key=ACCESS_KEY, gzip_body=False):
    """POST with Firehose's headers; returns (status, parsed reply or None, raw text)."""
    headers = ["Content-Type: application/json", "X-Amz-Firehose-Protocol-Version: 1.0",
               "X-Amz-Firehose-Request-Id: " + request_id, "X-Amz-Firehose-Source-Arn: " + STREAM_ARN,
               "User-Agent: Amazon Kinesis Data Firehose Agent/1.0"]
    if key is not None:
        headers.append("X-Amz-Firehose-Access-Key: " + key)
    if gzip_body:
        headers.append("Content-Encoding: gzip")
        body = gzip.compress(body)
    code, text = d.post("/v1/firehose", body, headers)
    try:
        return code, json.loads(text), text
    except ValueError:
        return code, None, text


def check_reply(code, reply, text, request_id, want_code, what, error_has=None):
    before = time.time() * 1000
    ok = code == want_code and isinstance(reply, dict) and reply.get("requestId") == request_id and \
        isinstance(reply.get("timestamp"), int) and abs(reply["timestamp"] - before) < 60000
    if want_code == 200:
        ok = ok and set(reply) == {"requestId", "timestamp"}
    else:
        ok = ok and set(reply) == {"requestId", "timestamp", "errorMessage"} and \
            (error_has is None or error_has in reply["errorMessage"])
    check(ok, what, "%d %s" % (code, text[:500]))


def rule_matches(page):
    got = collections.Counter()
    for m in re.finditer(r'^detectd_ingest_rule_matches_total\{endpoint="firehose",rule_id="([^"]+)"\} (\d+)$',
                         page, re.M):
        got[m.group(1)] = int(m.group(2))
    return got


def main():
    args = arguments().parse_args()
    events_file = audit_events_file(args)
    events = [json.loads(l) for l in nonblank_lines(events_file)]
    expected = collections.Counter(rule for _, rule in expected_matches(args, events_file))
    check(sum(expected.values()) > 10, "detectctl eval finds matches in the test events", str(expected))

    # One request as Firehose sends it: records of 1..n subscription messages from two log streams of an EKS
    # cluster, a control message among them.
    records, i, n = [], 0, 1
    while i < len(events):
        chunk = events[i:i + n]
        stream = "kube-apiserver-audit-%s" % ("0a1b2c" if len(records) % 2 == 0 else "3d4e5f")
        records.append(record(json.dumps(cloudwatch_message("prod-eks", stream, chunk, i)).encode()))
        if len(records) == 2:
            records.append(record(json.dumps(CONTROL).encode()))
        i += n
        n = min(n * 3, 100)
    check(len(records) >= 5, "the request has several records", str(len(records)))

    with tempfile.TemporaryDirectory() as tmp:
        key_file = os.path.join(tmp, "firehose-key")
        open(key_file, "w").write(ACCESS_KEY + "\n")
        token_file = os.path.join(tmp, "token")
        open(token_file, "w").write("other-bearer-token\n")
        d = ingest_detectd(args, tmp, ["--ingest_token_file", token_file, "--firehose_access_key_file", key_file])
        check("unauthenticated" not in d.output(), "no unauthenticated warning with both secrets", d.output())

        rid = str(uuid.uuid4())
        code, reply, text = post_firehose(d, envelope(rid, records), rid)
        check_reply(code, reply, text, rid, 200, "Firehose request: 200 echoing requestId with a timestamp")
        page = d.metrics()
        check(metric(page, 'detectd_ingest_events_total{endpoint="firehose"}') == len(events),
              "every event of the DATA_MESSAGEs is evaluated (the control message has none)",
              str(metric(page, 'detectd_ingest_events_total{endpoint="firehose"}')))
        check(rule_matches(page) == expected, "Firehose matches per rule equal detectctl eval",
              "got %s\nwant %s" % (sorted(rule_matches(page).items()), sorted(expected.items())))
        check(metric(page, 'detectd_ingest_errors_total{endpoint="firehose",reason="event"}') == -1,
              "no per-event errors", page)

        # The same with Content-Encoding: gzip (the destination's GZIP content encoding); a retry keeps its id.
        rid2 = str(uuid.uuid4())
        code, reply, text = post_firehose(d, envelope(rid2, records), rid2, gzip_body=True)
        check_reply(code, reply, text, rid2, 200, "gzip Firehose request: 200")
        page = d.metrics()
        doubled = collections.Counter({k: 2 * v for k, v in expected.items()})
        check(rule_matches(page) == doubled, "gzip request: matches per rule equal detectctl eval again",
              "got %s\nwant %s" % (sorted(rule_matches(page).items()), sorted(doubled.items())))

        # A subscription's first delivery: a request holding only a control message.
        rid3 = str(uuid.uuid4())
        code, reply, text = post_firehose(d, envelope(rid3, [record(json.dumps(CONTROL).encode())]), rid3)
        check_reply(code, reply, text, rid3, 200, "control message only: acknowledged")

        # Authentication: wrong, missing, and the bearer token (not the Firehose key) are refused, in Firehose's
        # reply format so the stream's error logs show why.
        small = envelope("r-auth", records[:1])
        for key, what in [("wrong-key", "wrong access key"), (None, "missing access key"),
                          ("other-bearer-token", "the bearer token as access key")]:
            code, reply, text = post_firehose(d, small, "r-auth", key=key)
            check_reply(code, reply, text, "r-auth", 401, what + ": 401 with errorMessage", "X-Amz-Firehose-Access-Key")
        code, _ = d.post("/v1/k8s-audit", b'{"kind":"EventList","items":[]}', ["X-Amz-Firehose-Access-Key: " + ACCESS_KEY])
        check(code == 401, "the Firehose key does not open the other endpoints", str(code))

        # Malformed requests: 400 naming the record and the problem; nothing before it is lost (Firehose resends).
        bad_b64 = envelope("r-b64", records[:1] + [{"data": "%%%not-base64%%%"}])
        code, reply, text = post_firehose(d, bad_b64, "r-b64")
        check_reply(code, reply, text, "r-b64", 400, "bad base64: 400", "record 1: data is not base64")
        bad_gz = envelope("r-gz", [{"data": base64.b64encode(b"\x1f\x8b\x08\x00garbage").decode()}])
        code, reply, text = post_firehose(d, bad_gz, "r-gz")
        check_reply(code, reply, text, "r-gz", 400, "bad gzip: 400", "record 0: data is not gzip")
        not_cw = envelope("r-cw", [record(b'{"hello":"world"}')])
        code, reply, text = post_firehose(d, not_cw, "r-cw")
        check_reply(code, reply, text, "r-cw", 400, "not a subscription message: 400", "messageType")
        code, reply, text = post_firehose(d, b"{not json", "r-json")
        check_reply(code, reply, text, "r-json", 400, "not JSON: 400 with the header's request id", "not a Firehose")
        # A record that inflates past the body limit (a decompression bomb) is 413.
        bomb = json.dumps(cloudwatch_message("prod-eks", "s", [{"pad": " " * (17 << 20)}], 0)).encode()
        code, reply, text = post_firehose(d, envelope("r-bomb", [record(bomb)]), "r-bomb")
        check_reply(code, reply, text, "r-bomb", 413, "record over the decompressed limit: 413", "limit")
        # Over the events-per-request limit (per record): 413 naming it.
        many = json.dumps(cloudwatch_message("prod-eks", "s", (events * 40)[:10001], 0)).encode()
        code, reply, text = post_firehose(d, envelope("r-many", [record(many)]), "r-many")
        check_reply(code, reply, text, "r-many", 413, "10,001 events in a record: 413", "10000")

        page = d.metrics()
        for series, want in [('detectd_ingest_requests_total{endpoint="firehose",code="200"}', 3),
                             ('detectd_ingest_requests_total{endpoint="firehose",code="401"}', 3),
                             ('detectd_ingest_requests_total{endpoint="firehose",code="400"}', 4),
                             ('detectd_ingest_requests_total{endpoint="firehose",code="413"}', 2),
                             ('detectd_ingest_errors_total{endpoint="firehose",reason="unauthorized"}', 3),
                             ('detectd_ingest_errors_total{endpoint="firehose",reason="bad_request"}', 4),
                             ('detectd_ingest_errors_total{endpoint="firehose",reason="too_large"}', 1),
                             ('detectd_ingest_errors_total{endpoint="firehose",reason="too_many_events"}', 1),
                             ('detectd_ingest_request_duration_seconds_count{endpoint="firehose"}', 12)]:
            check(metric(page, series) == want, "metric " + series, "%s want %s" % (metric(page, series), want))
        check(metric(page, 'detectd_ingest_bytes_total{endpoint="firehose"}') > 0, "firehose bytes counted")
        d.stop()

        # The bearer token is the access key when no --firehose_access_key_file is given; labels configured.
        d = ingest_detectd(args, tmp, ["--ingest_token_file", token_file])
        check("/v1/firehose" not in d.output(), "no Firehose warning when the token guards it", d.output())
        code, reply, text = post_firehose(d, envelope("r-tok", records), "r-tok", key="other-bearer-token")
        check_reply(code, reply, text, "r-tok", 200, "the ingest token as Firehose access key")
        d.stop()
    return finish("firehose_test")


if __name__ == "__main__":
    sys.exit(main())
