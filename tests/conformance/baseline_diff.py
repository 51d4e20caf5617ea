#!/usr/bin/env python3
"""Differential test against the Python reference: on events from ../shared/bench/gen_eks_audit.py, `detectctl
eval --format ndjson` must print exactly the matches (line, rule_id, severity, title, dedup) of
../shared/bench/panther_style_baseline.py --emit, for the seed rule and for the ten-rule pack.

Usage: baseline_diff.py --detectctl build/bin/detectctl [--events N] [--seed S] [--no-panther-fields]
                        [--json-read dom|ondemand]
Exit 0 on identical output, 1 on any difference, 77 (skipped) when ../shared is absent.
"""
import argparse, json, os, shutil, subprocess, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_conformance import ROOT, pack_rules_by_id  # noqa: E402

PACK_IDS = ["Amazon.EKS.AnonymousAPIAccess", "Amazon.EKS.Audit.Multiple403", "Kubernetes.Pod.Exec",
            "Kubernetes.Pod.Privileged.Created", "Kubernetes.Pod.HostPath.Volume", "Kubernetes.Pod.Host.Network",
            "Kubernetes.ClusterRoleBinding.Privileged", "Kubernetes.Secrets.DumpAllNamespaces",
            "Kubernetes.Service.NodePort.Deployed", "Kubernetes.Pod.SystemNamespace"]


def load(path):
    rows = [json.loads(l) for l in open(path) if l.startswith("{")]
    return sorted(rows, key=lambda r: (r["line"], r["rule_id"]))


def compare(name, ours, theirs):
    a, b = load(ours), load(theirs)
    if a == b:
        print("%s: identical, %d matches" % (name, len(a)))
        return True
    print("%s: DIFFERENT: ours %d matches, reference %d" % (name, len(a), len(b)))
    sa, sb = {json.dumps(r, sort_keys=True) for r in a}, {json.dumps(r, sort_keys=True) for r in b}
    for r in sorted(sa - sb)[:10]:
        print("  only ours:      " + r)
    for r in sorted(sb - sa)[:10]:
        print("  only reference: " + r)
    return False


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--detectctl", required=True)
    ap.add_argument("--shared", default=os.path.join(ROOT, "..", "shared"))
    ap.add_argument("--events", type=int, default=200000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--no-panther-fields", action="store_true")
    ap.add_argument("--json-read", choices=["dom", "ondemand"], help="detectctl --json_read (default: its own)")
    a = ap.parse_args()
    bench = os.path.join(a.shared, "bench")
    if not os.path.isdir(bench):
        print("SKIPPED: %s not found; the differential test needs ../shared beside the repository" % bench)
        return 77
    python = shutil.which("python3") or sys.executable
    pack = pack_rules_by_id()
    missing = [r for r in PACK_IDS if r not in pack]
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        events = os.path.join(tmp, "events.ndjson")
        gen = [python, os.path.join(bench, "gen_eks_audit.py"), str(a.events), "--seed", str(a.seed)]
        if a.no_panther_fields:
            gen.append("--no-panther-fields")
        with open(events, "w") as f:
            subprocess.run(gen, stdout=f, check=True)
        sets = [("seed rule", "seed", PACK_IDS[:1])]
        if missing:
            print("pack: %d of the ten rules are not in rules/ yet: %s" % (len(missing), ", ".join(missing)))
            ok = False
        else:
            sets.append(("ten-rule pack", "pack", PACK_IDS))
        for name, mode, ids in sets:
            rules_dir = os.path.join(tmp, mode)
            os.makedirs(rules_dir)
            for rule_id in ids:
                shutil.copy(pack[rule_id], rules_dir)
            ours, theirs = os.path.join(tmp, mode + ".ours"), os.path.join(tmp, mode + ".ref")
            with open(ours, "w") as f:
                subprocess.run([a.detectctl, "eval", "--rules", rules_dir, "--format", "ndjson",
                                "--fields", "line,rule_id,severity,title,dedup", events] +
                               (["--json_read", a.json_read] if a.json_read else []), stdout=f, check=True)
            with open(theirs, "w") as f:
                subprocess.run([python, os.path.join(bench, "panther_style_baseline.py"), events, "--rules", mode, "--emit"],
                               stdout=f, check=True)
            ok &= compare("%s on %d events (seed %d%s)" % (name, a.events, a.seed,
                                                          ", no Panther fields" if a.no_panther_fields else ""),
                          ours, theirs)
    print("%d passed, %d failed" % (1 if ok else 0, 0 if ok else 1))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
