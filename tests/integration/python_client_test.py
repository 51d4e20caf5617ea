#!/usr/bin/python3
"""The detect.v1 contract from another language: a Python client against the real detectd binary.

Stubs are generated at test time (python3 -m grpc_tools.protoc when available, else protoc with Debian's
grpc_python_plugin), detectd is started on the bundled rules with --listen 127.0.0.1:0 --port_file, and the seed
events are evaluated typed and raw, unary and streaming. Finally SIGTERM must make detectd exit 0.

Run with Debian's /usr/bin/python3 (python3-grpcio, python3-protobuf):
  /usr/bin/python3 tests/integration/python_client_test.py --detectd build/bin/detectd --source .
"""
import importlib
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testing"))
from detectd_harness import Detectd, arguments  # noqa: E402

SEED_RULE = "Amazon.EKS.AnonymousAPIAccess"


def generate_stubs(source, out):
    """detect.v1 stubs into out/stubs (put on sys.path), health stubs into out/health (loaded by check_health:
    their package path grpc/health/v1 must not shadow the grpc package)."""
    protos = [(os.path.join(source, "proto"), "detect/v1/detect.proto", os.path.join(out, "stubs")),
              (os.path.join(source, "tests", "integration", "protos"), "grpc/health/v1/health.proto",
               os.path.join(out, "health"))]
    try:
        from grpc_tools import protoc  # noqa: F401
        base = [sys.executable, "-m", "grpc_tools.protoc"]
        grpc_flag = "--grpc_python_out="
        plugin_args = []
    except ImportError:
        plugin = shutil.which("grpc_python_plugin")
        protoc = shutil.which("protoc")
        if not plugin or not protoc:
            sys.exit("python_client_test: need grpc_tools or protoc + grpc_python_plugin (protobuf-compiler-grpc)")
        base = [protoc]
        grpc_flag = "--grpc_out="
        plugin_args = ["--plugin=protoc-gen-grpc=" + plugin]
    for include, proto, dest in protos:
        os.makedirs(dest, exist_ok=True)
        subprocess.run(base + ["-I", include, "--python_out=" + dest, grpc_flag + dest] + plugin_args + [proto],
                       check=True)
    sys.path.insert(0, os.path.join(out, "stubs"))


def start_detectd(detectd, source, tmp):
    """detectd on the bundled rules, 5 s of shutdown grace; its port also read back from --port_file (which the
    harness checks against the one it logs)."""
    return Detectd(detectd, tmp, ["--shutdown_grace_seconds", "5"], source=source, port_file=True)


def seed_events(source):
    with open(os.path.join(source, "tests", "testdata", "seed_events.ndjson")) as f:
        return [line.strip() for line in f if line.strip()]


def make_request(pb, events, raw, prefix):
    from google.protobuf import json_format
    request = pb.EvaluateRequest()
    for i, text in enumerate(events, 1):
        event = request.events.add(id="%s%d" % (prefix, i))
        if raw:
            event.json = text.encode()
        else:
            json_format.Parse(text, event.audit_event, ignore_unknown_fields=True)
    return request


def seed_match(result):
    found = [m for m in result.matches if m.rule_id == SEED_RULE]
    return found[0] if found else None


def check_seed_results(pb, response, prefix):
    assert [r.event_id for r in response.results] == [prefix + str(i) for i in range(1, 5)], response
    for r in response.results:
        assert not r.HasField("error"), r.error
    first = seed_match(response.results[0])
    assert first is not None, response.results[0]
    assert first.severity == pb.SEVERITY_LOW
    assert first.title == ("Anonymous API access detected on Kubernetes API server from [8.8.8.8] to "
                           "[/api/v1/namespaces/default/pods/test-pod] on [example-cluster-eks-logs]"), first.title
    assert first.dedup == "anonymous_access_example-cluster-eks-logs_kubectl/v1.25.4"
    assert first.display_name == "EKS Anonymous API Access Detected"
    assert [(a.tactic, a.technique) for a in first.mitre_attack] == [("TA0001", "T1190")]
    summary = {a.name: a.value for a in first.summary_attributes}
    assert summary["user:username"].string_value == "system:anonymous"
    assert [v.string_value for v in summary["p_any_ip_addresses"].list_value.values] == ["8.8.8.8"]
    assert seed_match(response.results[1]) is None
    third, fourth = seed_match(response.results[2]), seed_match(response.results[3])
    assert third.severity == pb.SEVERITY_INFO and third.title == "Anonymous EKS Access to /version Endpoint Detected"
    assert fourth.title == "Failed Anonymous EKS Access Attempt(s) Detected" and fourth.dedup == "no dedup"


def summarize(response):
    return [[(m.rule_id, m.severity, m.title, m.dedup) for m in r.matches] for r in response.results]


def main():
    args = arguments(detectctl=False).parse_args()
    try:
        import grpc
    except ImportError:
        sys.exit("python_client_test: run with Debian's /usr/bin/python3 and python3-grpcio installed")

    tmp = tempfile.mkdtemp(prefix="detect_py_")
    d = None
    try:
        generate_stubs(args.source, tmp)
        pb = importlib.import_module("detect.v1.detect_pb2")
        pb_grpc = importlib.import_module("detect.v1.detect_pb2_grpc")
        d = start_detectd(args.detectd, args.source, tmp)
        channel = grpc.insecure_channel("127.0.0.1:%d" % d.port)
        grpc.channel_ready_future(channel).result(timeout=30)
        stub = pb_grpc.DetectionServiceStub(channel)
        events = seed_events(args.source)

        check_health(tmp, channel)

        typed = stub.Evaluate(make_request(pb, events, False, "t"), timeout=30)
        raw = stub.Evaluate(make_request(pb, events, True, "r"), timeout=30)
        check_seed_results(pb, typed, "t")
        check_seed_results(pb, raw, "r")
        assert summarize(typed) == summarize(raw), "typed and raw events must decide alike"

        batches = [make_request(pb, events, i % 2 == 0, "s%d-" % i) for i in range(10)]
        responses = list(stub.StreamEvaluate(iter(batches), timeout=30))
        assert len(responses) == 10
        for i, response in enumerate(responses):
            check_seed_results(pb, response, "s%d-" % i)

        bad = pb.EvaluateRequest()
        bad.events.add(id="ok", json=events[0].encode())
        bad.events.add(id="broken", json=b'{"verb": broken')
        response = stub.Evaluate(bad, timeout=30)
        assert not response.results[0].HasField("error") and seed_match(response.results[0]) is not None
        assert response.results[1].error.code == grpc.StatusCode.INVALID_ARGUMENT.value[0], response.results[1]

        rules = stub.ListRules(pb.ListRulesRequest(), timeout=30)
        assert SEED_RULE in [r.rule_id for r in rules.rules] and rules.rule_set_version == typed.rule_set_version
        try:
            stub.GetRule(pb.GetRuleRequest(rule_id="No.Such.Rule"), timeout=30)
            raise AssertionError("GetRule of an unknown rule must fail")
        except grpc.RpcError as e:
            assert e.code() == grpc.StatusCode.NOT_FOUND, e
        channel.close()

        code = d.stop(30)
        assert code == 0, "detectd exited %s after SIGTERM" % code
        d = None
        print("python_client_test: PASS (%d rules, version %s)" % (len(rules.rules), rules.rule_set_version))
    finally:
        if d is not None:
            d.kill()
            sys.stderr.write(d.output())
        shutil.rmtree(tmp, ignore_errors=True)


def check_health(tmp, channel):
    """grpc.health.v1 from stubs generated from the vendored health.proto."""
    spec_dir = os.path.join(tmp, "health", "grpc", "health", "v1")
    sys.path.insert(0, spec_dir)
    try:
        health_pb2 = importlib.import_module("health_pb2")
    finally:
        sys.path.remove(spec_dir)
    request = health_pb2.HealthCheckRequest(service="detect.v1.DetectionService")
    check = channel.unary_unary("/grpc.health.v1.Health/Check",
                                request_serializer=health_pb2.HealthCheckRequest.SerializeToString,
                                response_deserializer=health_pb2.HealthCheckResponse.FromString)
    status = check(request, timeout=10).status
    assert status == health_pb2.HealthCheckResponse.SERVING, status


if __name__ == "__main__":
    main()
