#!/usr/bin/env python3
"""Writes N synthetic rules for rule-count scaling benchmarks: equality, prefix, list-membership and regex
conditions on realistic EKS audit fields, in rotation. Most rules look for values that real traffic rarely
carries, as a large rule set does; a few fire on the generator's events so matching work is measured too.

Usage: gen_synthetic_rules.py N OUTDIR
"""
import os, sys

VERBS = ["create", "update", "patch", "delete", "deletecollection"]
REAL_NAMESPACES = ["default", "payments", "web", "data", "monitoring"]
RESOURCES = ["pods", "secrets", "configmaps", "deployments", "daemonsets", "roles", "clusterroles", "services",
             "serviceaccounts", "cronjobs", "jobs", "ingresses", "networkpolicies", "nodes", "namespaces"]

HEADER = """AnalysisType: rule
RuleID: Synthetic.{kind}.{i}
DisplayName: Synthetic {kind} rule {i}
Enabled: true
LogTypes: [Amazon.EKS.Audit]
Severity: {sev}
DedupPeriodMinutes: 60
AlertTitle: "[{{user.username|<UNKNOWN_USER>}}] {kind} {i} on [{{objectRef.resource|<NONE>}}/{{objectRef.name|<NONE>}}]"
SummaryAttributes: [user:username, p_any_ip_addresses]
Detection:
"""


def rule(i):
    kind = ["Equality", "Prefix", "Membership", "Regex"][i % 4]
    sev = ["Info", "Low", "Medium", "High", "Critical"][i % 5]
    n = i // 4
    if kind == "Equality":
        # One equality rule in 25 looks for traffic the generator produces, so matches are rendered too.
        namespace = REAL_NAMESPACES[n % len(REAL_NAMESPACES)] if n % 25 == 0 else "team-%d" % n
        body = ("  - {Key: verb, Condition: Equals, Value: %s}\n"
                "  - {KeyPath: objectRef.resource, Condition: Equals, Value: %s}\n"
                "  - {KeyPath: objectRef.namespace, Condition: Equals, Value: %s}\n"
                % ("get" if n % 25 == 0 else VERBS[n % len(VERBS)], "pods" if n % 25 == 0 else RESOURCES[n % len(RESOURCES)],
                   namespace))
    elif kind == "Prefix":
        body = ("  - {Key: userAgent, Condition: StartsWith, Value: 'tool-%d/'}\n"
                "  - {KeyPath: user.username, Condition: DoesNotStartWith, Value: 'system:'}\n" % n)
    elif kind == "Membership":
        body = ("  - KeyPath: objectRef.name\n    Condition: IsIn\n    Values: [app-%d, app-%d-canary, app-%d-debug]\n"
                "  - {KeyPath: objectRef.resource, Condition: IsIn, Values: [pods, deployments]}\n" % (n, n, n))
    else:
        body = ("  - {Key: requestURI, Condition: Matches, Value: '^/api/v1/namespaces/ns-%d/(secrets|configmaps)/[a-z0-9-]+token'}\n"
                "  - {Key: verb, Condition: IsIn, Values: [get, list]}\n" % n)
    return HEADER.format(kind=kind, i=i, sev=sev) + body


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    os.makedirs(out, exist_ok=True)
    for i in range(n):
        with open(os.path.join(out, "synthetic_%05d.yml" % i), "w") as f:
            f.write(rule(i))


if __name__ == "__main__":
    main()
