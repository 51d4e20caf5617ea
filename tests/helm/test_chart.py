#!/usr/bin/python3
"""Tests of the Helm chart helm/detectd: `helm lint` and `helm template` with default values and with every
optional feature on (values-all-on.yaml), then checks on the rendered manifests (probes, bundled rules, security
context, TLS, optional objects, NetworkPolicy) and on the schema's rejection of bad values. Helm comes from
scripts/fetch-helm.sh; if it cannot be obtained the tests fail, they are never skipped."""
import os
import pathlib
import posixpath
import re
import shutil
import subprocess
import tempfile
import time
import unittest

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
CHART = ROOT / "helm/detectd"
ALL_ON = ROOT / "tests/helm/values-all-on.yaml"
HELM = None


def setUpModule():
    global HELM
    r = subprocess.run([str(ROOT / "scripts/fetch-helm.sh")], capture_output=True, text=True)
    if r.returncode != 0 or not r.stdout.strip():
        raise RuntimeError("cannot obtain helm through scripts/fetch-helm.sh: " + (r.stderr.strip() or "scripts/fetch-helm.sh printed nothing"))
    HELM = r.stdout.strip().splitlines()[-1]
    global COPY_WAS_STALE
    COPY_WAS_STALE = chart_rule_files() != repo_rule_files()
    r = subprocess.run([str(ROOT / "helm/sync-rules.sh")], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("helm/sync-rules.sh failed: " + r.stderr.strip())


def helm(*args):
    return subprocess.run([HELM, *map(str, args)], capture_output=True, text=True, cwd=ROOT)


def render(*args):
    r = helm("template", "detectd", CHART, "--namespace", "detectd", *args)
    if r.returncode != 0:
        raise AssertionError(f"helm template {' '.join(map(str, args))} failed:\n{r.stderr}")
    return [d for d in yaml.safe_load_all(r.stdout) if d]


def render_raw(*args):
    """helm template's text, to compare manifests byte for byte."""
    r = helm("template", "detectd", CHART, "--namespace", "detectd", *args)
    if r.returncode != 0:
        raise AssertionError(f"helm template {' '.join(map(str, args))} failed:\n{r.stderr}")
    return r.stdout


def source(text, template):
    """The manifest(s) rendered from templates/<template> in helm template's output."""
    docs = [d for d in text.split("\n---\n") if f"# Source: detectd/templates/{template}\n" in d]
    assert docs, f"nothing rendered from {template}"
    return "\n---\n".join(docs)


def kubelet_layout(root, files):
    """Writes {name: content} as the kubelet mounts a ConfigMap: ..<timestamp>/name files, ..data -> that
    directory, name -> ..data/name."""
    stamp = root / "..2026_01_01_00_00_00.000000001"
    stamp.mkdir(parents=True)
    for name, content in files.items():
        (stamp / name).write_text(content)
        (root / name).symlink_to(f"..data/{name}")
    (root / "..data").symlink_to(stamp.name)


def find(docs, kind, name=None):
    return [d for d in docs if d["kind"] == kind and (name is None or d["metadata"]["name"] == name)]


def one(docs, kind, name=None):
    found = find(docs, kind, name)
    assert len(found) == 1, f"expected one {kind} {name or ''}, got {len(found)}"
    return found[0]


def container(docs):
    return one(docs, "Deployment")["spec"]["template"]["spec"]["containers"][0]


def flags(docs):
    """The container's --name=value args as a dict."""
    return dict(a[2:].split("=", 1) for a in container(docs)["args"])


def mounted_files(docs, flag):
    """{ConfigMap key: content} of the ConfigMap volume(s) mounted at the directory passed as --flag. Every
    ConfigMap is mounted whole (no items), so the keys are the file names in that directory."""
    pod = one(docs, "Deployment")["spec"]["template"]["spec"]
    mount = [m for m in container(docs).get("volumeMounts", []) if m["mountPath"] == flags(docs)[flag]]
    assert len(mount) == 1, f"nothing is mounted at --{flag}"
    assert "subPath" not in mount[0], "a subPath mount never sees ConfigMap updates"
    volume = next(v for v in pod["volumes"] if v["name"] == mount[0]["name"])
    sources = [s["configMap"] for s in volume["projected"]["sources"]] if "projected" in volume else [volume["configMap"]]
    files = {}
    for source in sources:
        assert "items" not in source, f"ConfigMap {source['name']} is mounted with items: adding a file would change the Deployment"
        made = find(docs, "ConfigMap", source["name"])
        if not made:  # A ConfigMap made outside the chart (rules.existingConfigMaps).
            continue
        files.update(made[0]["data"])
    return files


def key(path):
    """The ConfigMap key, and so the mounted file name, of a file at `path` below rules/."""
    return path.replace("/", "__")


def flat_file(path, text):
    """What the chart deploys for a file at `path`: a lookup table YAML in a subdirectory names its data file
    by that file's flat key (Filename: tor_exit_nodes.csv -> lookups__tor_exit_nodes.csv)."""
    d = posixpath.dirname(path)
    if not d or not path.endswith((".yml", ".yaml")) or not re.search(r"(?m)^AnalysisType:[ \t]*[\"']?lookup_table", text):
        return text
    return re.sub(r"(?m)^Filename:[ \t]*[\"']?([^\"'#\n]*?)[\"']?[ \t]*(#.*)?$",
                  lambda m: "Filename: " + key(posixpath.normpath(posixpath.join(d, m.group(1)))), text, count=1)


def deployed(files, strip=True):
    """{key: content} the chart should deploy for {path: text} of rule files."""
    return {key(p): flat_file(p, strip_tests(t) if strip and p.endswith((".yml", ".yaml")) else t)
            for p, t in files.items()}


def strip_tests(text):
    """What the chart deploys of a rule file: no top-level Tests: block (rules.stripTests)."""
    return re.sub(r"(?m)^Tests:.*(\n([ \t#-].*)?)*", "", text)


COPY_WAS_STALE = None


def chart_rule_files():
    return rule_files_under(ROOT / "helm/detectd/rules")


def repo_rule_files():
    return rule_files_under(ROOT / "rules")


def rule_files_under(rules):
    return {str(p.relative_to(rules)): p.read_text() for p in sorted(rules.rglob("*"))
            if p.suffix in (".yml", ".yaml", ".csv", ".json", ".jsonl", ".ndjson") and p.is_file()
            and not any(part.startswith(".") for part in p.relative_to(rules).parts)}


class ChartTest(unittest.TestCase):
    def test_committed_chart_copy_of_rules_is_current(self):
        self.assertFalse(COPY_WAS_STALE, "helm/detectd/rules differed from rules/ before this test synced it: run "
                                         "helm/sync-rules.sh and commit helm/detectd/rules with the rule change")

    @classmethod
    def setUpClass(cls):
        cls.default = render()
        cls.all_on = render("-f", ALL_ON)
        cls.values = yaml.safe_load((CHART / "values.yaml").read_text())
        cls.all_on_values = yaml.safe_load(ALL_ON.read_text())

    def test_lint(self):
        for extra in ([], ["-f", ALL_ON]):
            r = helm("lint", "--strict", CHART, *extra)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_probes_use_grpc_on_the_health_port(self):
        for docs, port in ((self.default, 50051), (self.all_on, 50052)):
            c = container(docs)
            ports = {p["containerPort"] for p in c["ports"]}
            for kind in ("livenessProbe", "readinessProbe"):
                self.assertEqual(c[kind]["grpc"]["port"], port, kind)
                self.assertIn(port, ports)
            self.assertEqual(c["readinessProbe"]["grpc"].get("service", ""), "")
        self.assertNotIn("startupProbe", container(self.default))
        self.assertEqual(container(self.all_on)["startupProbe"]["grpc"]["port"], 50052)
        # With TLS the probed port is the plaintext health-only listener.
        self.assertEqual(flags(self.all_on)["health_listen"], "0.0.0.0:50052")

    def test_rules_configmap_holds_every_bundled_rule(self):
        expected = repo_rule_files()
        self.assertTrue(expected, f"{ROOT / 'rules'} holds no *.yml rule files: nothing proves the chart bundles "
                                  "them (at least rules/aws_eks/anonymous_api_access.yml is expected)")
        for docs in (self.default, self.all_on):
            mounted = mounted_files(docs, "rules")
            for path, text in deployed(expected).items():
                self.assertEqual(mounted.get(path), text, f"rules/{path} differs or is missing in the ConfigMap")
        self.assertIn("local__extra_rule.yml", mounted_files(self.all_on, "rules"))
        # The one rewrite besides Tests: a lookup table in a subdirectory names its data file's flat key.
        self.assertRegex(mounted_files(self.default, "rules")["lookups__tor_exit_nodes.yml"],
                         r"(?m)^Filename: lookups__tor_exit_nodes.csv$")

    def test_deployed_rules_carry_no_tests_and_still_load(self):
        mounted = mounted_files(self.default, "rules")
        rules = {p: t for p, t in mounted.items() if p.endswith((".yml", ".yaml"))}
        self.assertTrue(any("Tests:" in t for t in repo_rule_files().values()), "no bundled rule has Tests:")
        by_key = {key(p): (p, t) for p, t in repo_rule_files().items()}
        for name, text in rules.items():
            self.assertNotRegex(text, r"(?m)^Tests:", name)
            doc = yaml.safe_load(text)
            self.assertNotIn("Tests", doc, name)
            original = yaml.safe_load(flat_file(*by_key[name]))
            original.pop("Tests", None)
            self.assertEqual(doc, original, f"{name}: stripping Tests changed something else")
        kept = mounted_files(render("--set", "rules.stripTests=false"), "rules")
        self.assertEqual(kept, deployed(repo_rule_files(), strip=False))
        size = sum(len(t) for t in mounted.values())
        full = sum(len(t) for t in repo_rule_files().values())
        print(f"rules ConfigMap data: {size} bytes without Tests, {full} with them")

    def test_rules_past_one_configmap_fail_clearly(self):
        big = "AnalysisType: rule\nRuleID: Big\n# " + "x" * 1100000 + "\n"
        with tempfile.NamedTemporaryFile("w", suffix=".yaml") as f:
            yaml.safe_dump({"rules": {"inline": {"big.yml": big}}}, f)
            f.flush()
            r = helm("template", "detectd", CHART, "-f", f.name)
        self.assertNotEqual(r.returncode, 0)
        self.assertRegex(r.stderr, r"rules ConfigMap would hold \d+ bytes, over the Kubernetes API server's 1 MiB")
        self.assertIn("rules.existingConfigMaps", r.stderr)

    def test_existing_configmaps_share_the_rules_directory(self):
        docs = render("--set", "rules.existingConfigMaps={team-a-rules,team-b-rules}",
                      "--set", "rules.existingConfigMap=extra-rules")
        pod = one(docs, "Deployment")["spec"]["template"]["spec"]
        volume = next(v for v in pod["volumes"] if v["name"] == "rules")
        names = [s["configMap"]["name"] for s in volume["projected"]["sources"]]
        self.assertEqual(names, ["detectd-rules", "extra-rules", "team-a-rules", "team-b-rules"])
        self.assertTrue(all("items" not in s["configMap"] for s in volume["projected"]["sources"][1:]),
                        "outside ConfigMaps are mounted whole, so adding a file to them changes no Deployment")
        self.assertIn("aws_eks__anonymous_api_access.yml", mounted_files(docs, "rules"))
        only = render("--set", "rules.fromFiles=false", "--set", "rules.existingConfigMaps={team-a-rules}")
        self.assertFalse(find(only, "ConfigMap", "detectd-rules"))
        self.assertEqual(flags(only)["rules"], "/etc/detectd/rules")

    def test_rule_changes_leave_the_deployment_unchanged(self):
        """The README's claim: adding, changing or removing a rule file (or a lookup table) changes the ConfigMap
        only; the Deployment renders byte for byte the same, so no pod restarts and detectd reloads the files."""
        changes = {"rules": {"inline": {
            "added_rule.yml": "AnalysisType: rule\nRuleID: Added.Top\n",
            "new_team/added_rule.yml": "AnalysisType: rule\nRuleID: Added.Nested\n",
            "aws_eks/anonymous_api_access.yml": "AnalysisType: rule\nRuleID: Changed\n"}},
            "lookupTables": {"inline": {"added/table.csv": "ip,reason\n198.51.100.1,test\n"}}}
        for base in ([], ["-f", ALL_ON]):
            with self.subTest(base=base), tempfile.NamedTemporaryFile("w", suffix=".yaml") as f:
                # Without any lookup table the first one adds --lookup_tables and its volume: only from one on.
                yaml.safe_dump(changes if base else {"rules": changes["rules"]}, f)
                f.flush()
                before, after = render_raw(*base), render_raw(*base, "-f", f.name)
                self.assertNotEqual(source(before, "configmap-rules.yaml"), source(after, "configmap-rules.yaml"))
                if base:
                    self.assertNotEqual(source(before, "configmap-lookup-tables.yaml"),
                                        source(after, "configmap-lookup-tables.yaml"))
                self.assertEqual(source(before, "deployment.yaml"), source(after, "deployment.yaml"),
                                 "adding rule files changed the Deployment: every pod would restart")
        # Removing every bundled file but one leaves it unchanged too.
        self.assertEqual(source(render_raw(), "deployment.yaml"),
                         source(render_raw("--set", "rules.fromFiles=false", "--set-string",
                                           "rules.inline.only\\.yml=RuleID: Only"), "deployment.yaml"))

    def test_deployed_rules_load_from_a_kubelet_style_directory(self):
        """The rendered ConfigMap laid out as the kubelet mounts it (files are links into ..data, itself a link to
        a timestamped directory) is a rule directory detectd loads: the bundled rules' own Tests pass from it,
        the lookup table's data included (Kubernetes.API.IOC.Activity needs it)."""
        detectctl = os.environ.get("DETECTCTL") or str(ROOT / "build/bin/detectctl")
        self.assertTrue(os.access(detectctl, os.X_OK), f"no detectctl at {detectctl}: build it or set DETECTCTL")
        for strip in (False, True):
            docs = render("--set", f"rules.stripTests={str(strip).lower()}")
            with tempfile.TemporaryDirectory() as tmp:
                root = pathlib.Path(tmp) / "rules"
                kubelet_layout(root, mounted_files(docs, "rules"))
                if strip:  # No Tests left: the rule set loads without an issue (eval refuses one with errors).
                    r = subprocess.run([detectctl, "eval", "--rules", str(root), "/dev/null"], capture_output=True, text=True)
                else:
                    r = subprocess.run([detectctl, "test", str(root)], capture_output=True, text=True)
                self.assertEqual(r.returncode, 0, f"detectctl over the deployed directory (stripTests={strip}):\n"
                                                  f"{r.stdout[-3000:]}{r.stderr[-3000:]}\n{sorted(os.listdir(root))}")
                if not strip:
                    self.assertRegex(r.stdout + r.stderr, r"Kubernetes\.API\.IOC\.Activity|passed")

    def pod_parts(self, docs):
        pod = one(docs, "Deployment")["spec"]["template"]["spec"]
        return (pod, {c["name"]: c for c in pod.get("initContainers", [])},
                {c["name"]: c for c in pod["containers"]}, {v["name"]: v for v in pod.get("volumes", [])})

    def assert_locked_down(self, c):
        sc = c["securityContext"]
        self.assertIs(sc["runAsNonRoot"], True, c["name"])
        self.assertIs(sc["readOnlyRootFilesystem"], True, c["name"])
        self.assertIs(sc["allowPrivilegeEscalation"], False, c["name"])
        self.assertEqual(sc["capabilities"]["drop"], ["ALL"], c["name"])
        self.assertTrue(c.get("resources", {}).get("limits", {}).get("memory"), f"{c['name']} has no memory limit")

    def test_rules_from_git(self):
        docs = render("--set", "rules.source=git", "--set", "rules.git.repo=https://git.example.com/sec/rules.git",
                      "--set", "rules.git.ref=v3", "--set", "rules.git.path=detections/k8s",
                      "--set", "rules.git.credentialsSecret=rules-git", "--set", "rules.git.period=30s")
        pod, init, containers, volumes = self.pod_parts(docs)
        self.assertFalse(find(docs, "ConfigMap", "detectd-rules"), "no rules ConfigMap with a git source")
        self.assertEqual(list(containers), ["detectd", "git-sync"], "detectd stays the first (default) container")
        self.assertEqual(list(init), ["git-sync-init"])
        # detectd reads through git-sync's link, which is swapped atomically on each new commit.
        self.assertEqual(flags(docs)["rules"], "/etc/detectd/rules/current/detections/k8s")
        (mount,) = [m for m in containers["detectd"]["volumeMounts"] if m["name"] == "rules"]
        self.assertEqual((mount["mountPath"], mount["readOnly"]), ("/etc/detectd/rules", True))
        self.assertIn("emptyDir", volumes["rules"])
        for name, c in (("git-sync-init", init["git-sync-init"]), ("git-sync", containers["git-sync"])):
            self.assertTrue(c["image"].startswith("registry.k8s.io/git-sync/git-sync:v4"), c["image"])
            args = c["args"]
            for a in ("--repo=https://git.example.com/sec/rules.git", "--ref=v3", "--root=/git", "--link=current",
                      "--password-file=/etc/git-secret/password"):
                self.assertIn(a, args, name)
            self.assertEqual("--one-time" in args, name == "git-sync-init", name)
            self.assertEqual("--period=30s" in args, name == "git-sync", name)
            self.assertIn({"name": "rules", "mountPath": "/git"}, c["volumeMounts"], name)
            user = next(e for e in c["env"] if e["name"] == "GITSYNC_USERNAME")
            self.assertEqual(user["valueFrom"]["secretKeyRef"], {"name": "rules-git", "key": "username"})
            self.assert_locked_down(c)
        self.assertEqual(volumes["git-secret"]["secret"]["secretName"], "rules-git")
        ssh = render("--set", "rules.source=git", "--set", "rules.git.repo=git@git.example.com:sec/rules.git",
                     "--set", "rules.git.sshSecret=rules-ssh")
        _, _, containers, volumes = self.pod_parts(ssh)
        self.assertIn("--ssh-known-hosts-file=/etc/git-secret/known_hosts", containers["git-sync"]["args"])
        self.assertEqual([i["key"] for i in volumes["git-secret"]["secret"]["items"]], ["ssh", "known_hosts"])
        self.assertEqual(flags(ssh)["rules"], "/etc/detectd/rules/current")

    def test_git_sync_swap_reloads_detectd(self):
        """The git source's hot reload, with a real detectd: git-sync publishes a commit by checking it out into a
        new worktree, renaming a fresh `current` link over the old one, then deleting the old worktree; detectd,
        started with --rules=<root>/current/<path> as the chart starts it, serves the new commit's rules."""
        detectctl = os.environ.get("DETECTCTL") or str(ROOT / "build/bin/detectctl")
        detectd = os.environ.get("DETECTD") or str(ROOT / "build/bin/detectd")
        for binary in (detectctl, detectd):
            self.assertTrue(os.access(binary, os.X_OK), f"no {binary}: build it or set DETECTCTL / DETECTD")
        with tempfile.TemporaryDirectory() as tmp:
            root = pathlib.Path(tmp) / "git"

            def worktree(name, rule_id):
                tree = root / ".worktrees" / name / "k8s"
                for rel, text in repo_rule_files().items():
                    (tree / rel).parent.mkdir(parents=True, exist_ok=True)
                    (tree / rel).write_text(text)
                rule = tree / "aws_eks/exec_into_pod.yml"
                rule.write_text(re.sub(r"(?m)^RuleID:.*$", f"RuleID: {rule_id}", rule.read_text()))

            worktree("aaaa", "Commit.One")
            (root / "current").symlink_to(".worktrees/aaaa")
            port_file = pathlib.Path(tmp) / "port"
            log = open(pathlib.Path(tmp) / "detectd.log", "w+")
            server = subprocess.Popen([detectd, f"--rules={root}/current/k8s", "--listen=127.0.0.1:0",
                                       f"--port_file={port_file}", "--metrics_listen=", "--watch_debounce_ms=100",
                                       "--log_format=text"], stdout=log, stderr=subprocess.STDOUT)
            try:
                def rules_served():
                    if not port_file.exists() or not port_file.read_text().strip():
                        return ""
                    r = subprocess.run([detectctl, "rules", "--server", f"127.0.0.1:{port_file.read_text().strip()}"],
                                       capture_output=True, text=True, timeout=30)
                    return r.stdout if r.returncode == 0 else ""

                def eventually(want, what):
                    deadline = time.monotonic() + 90
                    while time.monotonic() < deadline:
                        self.assertIsNone(server.poll(), "detectd exited")
                        if want in rules_served():
                            return
                        time.sleep(0.2)
                    log.seek(0)
                    self.fail(f"{what}: {want} not served within 90 s; detectd log:\n{log.read()[-4000:]}")

                eventually("Commit.One", "first checkout")
                worktree("bbbb", "Commit.Two")  # git-sync's order: new worktree, link swap, old worktree removed.
                (root / "current.new").symlink_to(".worktrees/bbbb")
                os.rename(root / "current.new", root / "current")
                shutil.rmtree(root / ".worktrees/aaaa")
                eventually("Commit.Two", "after the link swap")
            finally:
                server.terminate()
                server.wait(timeout=60)
                log.close()

    def test_rules_from_an_image(self):
        copy = render("--set", "rules.source=image", "--set", "rules.image.reference=registry.example.com/rules:7",
                      "--set", "rules.image.path=/opt/rules/")
        pod, init, containers, volumes = self.pod_parts(copy)
        self.assertFalse(find(copy, "ConfigMap", "detectd-rules"))
        self.assertEqual(list(containers), ["detectd"])
        c = init["rules-image"]
        self.assertEqual(c["image"], "registry.example.com/rules:7")
        self.assertEqual(c["command"], ["cp", "-R", "/opt/rules/.", "/rules-copy/"])
        self.assertEqual(c["volumeMounts"], [{"name": "rules", "mountPath": "/rules-copy"}])
        self.assert_locked_down(c)
        self.assertIn("emptyDir", volumes["rules"])
        self.assertEqual(flags(copy)["rules"], "/etc/detectd/rules")

        volume = render("--set", "rules.source=image", "--set", "rules.image.reference=registry.example.com/rules:7",
                        "--set", "rules.image.mode=volume")
        pod, init, containers, volumes = self.pod_parts(volume)
        self.assertEqual(init, {})
        self.assertEqual(volumes["rules"]["image"], {"reference": "registry.example.com/rules:7", "pullPolicy": "IfNotPresent"})
        self.assertEqual(flags(volume)["rules"], "/etc/detectd/rules/rules")

    def test_alert_flags_and_secrets(self):
        self.assertEqual({k: v for k, v in flags(self.default).items() if k.startswith("alert")},
                         {"alerts": "true", "alert_clock": "processing"})
        self.assertNotIn("env", container(self.default))
        docs = render("--set", "alerts.store=redis", "--set", "alerts.redis.url=redis://detectd-redis-master:6379",
                      "--set", "alerts.redis.passwordSecret=detectd-redis", "--set", "alerts.redis.prefix=prod",
                      "--set", "alerts.webhooks.urls={https://soar.example.com/hook}",
                      "--set", "alerts.webhooks.existingSecret=hooks", "--set", "alerts.webhooks.format=slack",
                      "--set", "alerts.webhooks.hmacSecret=hmac", "--set", "alerts.webhooks.attempts=3",
                      "--set", "alerts.file=/var/log/detectd/alerts.ndjson", "--set", "alerts.clock=event",
                      "--set", "alerts.updateIntervalSeconds=0", "--set", "alerts.maxWindows=200000")
        c = container(docs)
        args = c["args"]
        for a in ("--alert_store=redis://:$(DETECTD_REDIS_PASSWORD)@detectd-redis-master:6379",
                  "--alert_redis_prefix=prod", "--alert_webhook=https://soar.example.com/hook",
                  "--alert_webhook=$(DETECTD_ALERT_WEBHOOKS)", "--alert_webhook_format=slack",
                  "--alert_webhook_secret_file=/etc/detectd/alert-webhook/hmac-key", "--alert_webhook_attempts=3",
                  "--alert_file=/var/log/detectd/alerts.ndjson", "--alert_clock=event",
                  "--alert_update_interval_seconds=0", "--alert_max_windows=200000"):
            self.assertIn(a, args)
        env = {e["name"]: e["valueFrom"]["secretKeyRef"] for e in c["env"]}
        self.assertEqual(env, {"DETECTD_REDIS_PASSWORD": {"name": "detectd-redis", "key": "redis-password"},
                               "DETECTD_ALERT_WEBHOOKS": {"name": "hooks", "key": "urls"}})
        # Every $(VAR) in the args is defined (Kubernetes leaves an undefined one as literal text).
        for a in args:
            for var in re.findall(r"\$\((\w+)\)", a):
                self.assertIn(var, env, a)
        _, _, _, volumes = self.pod_parts(docs)
        self.assertEqual(volumes["alert-webhook-hmac"]["secret"]["secretName"], "hmac")
        self.assertEqual(volumes["alert-file"]["emptyDir"], {"sizeLimit": "1Gi"})
        mounts = {m["name"]: m["mountPath"] for m in c["volumeMounts"]}
        self.assertEqual(mounts["alert-webhook-hmac"], "/etc/detectd/alert-webhook")
        self.assertEqual(mounts["alert-file"], "/var/log/detectd")

        whole = render("--set", "alerts.store=redis", "--set", "alerts.redis.existingSecret=redis-url")
        self.assertIn("--alert_store=$(DETECTD_ALERT_STORE)", container(whole)["args"])
        self.assertEqual(container(whole)["env"][0]["valueFrom"]["secretKeyRef"], {"name": "redis-url", "key": "redis-url"})
        stdout = render("--set", "alerts.file=-")
        self.assertEqual(flags(stdout)["alert_file"], "-")
        self.assertNotIn("alert-file", self.pod_parts(stdout)[3])
        off = render("--set", "alerts.enabled=false", "--set", "alerts.webhooks.urls={https://x.example}")
        self.assertEqual([a for a in container(off)["args"] if a.startswith("--alert")], ["--alerts=false"])

    def test_alert_notes_warn_about_per_pod_windows(self):
        r = helm("install", "detectd", CHART, "--dry-run=client", "--namespace", "detectd")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("each pod counts its own matches", r.stdout)
        self.assertIn("no sink is configured", r.stdout)
        r = helm("install", "detectd", CHART, "--dry-run=client", "--namespace", "detectd", "--set", "alerts.store=redis",
                 "--set", "alerts.redis.url=redis://r:6379", "--set", "alerts.file=-")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("each pod counts its own matches", r.stdout)
        self.assertNotIn("no sink is configured", r.stdout)

    def test_ingest_port_service_and_auth(self):
        self.assertFalse([a for a in container(self.default)["args"] if a.startswith(("--ingest", "--firehose"))])
        self.assertFalse(find(self.default, "Service", "detectd-ingest"))
        docs = render("--set", "ingest.enabled=true", "--set", "ingest.tokenSecret=ingest-token",
                      "--set", "ingest.firehoseAccessKeySecret=firehose", "--set", "ingest.service.port=9443",
                      "--set", "networkPolicy.ingestFrom[0].ipBlock.cidr=10.0.0.0/16")
        f, c = flags(docs), container(docs)
        self.assertEqual(f["ingest_listen"], "0.0.0.0:8080")
        self.assertEqual(f["ingest_token_file"], "/etc/detectd/ingest/token/token")
        self.assertEqual(f["firehose_access_key_file"], "/etc/detectd/ingest/firehose/access-key")
        self.assertIn({"name": "ingest", "containerPort": 8080, "protocol": "TCP"}, c["ports"])
        _, _, containers, volumes = self.pod_parts(docs)
        self.assertEqual(list(containers), ["detectd"])
        self.assertEqual(volumes["ingest-token"]["secret"]["secretName"], "ingest-token")
        self.assertEqual(volumes["ingest-firehose"]["secret"]["secretName"], "firehose")
        service = one(docs, "Service", "detectd-ingest")["spec"]
        self.assertEqual(service["ports"], [{"name": "ingest", "port": 9443, "targetPort": "ingest",
                                             "protocol": "TCP", "appProtocol": "http"}])
        rules = one(docs, "NetworkPolicy")["spec"]["ingress"]
        (rule,) = [r for r in rules if r["ports"][0]["port"] == 8080]
        self.assertEqual(rule["from"], [{"ipBlock": {"cidr": "10.0.0.0/16"}}])
        # Without ingestFrom the port stays closed (no rule), and the notes say so.
        closed = render("--set", "ingest.enabled=true", "--set", "ingest.tokenSecret=t")
        self.assertFalse([r for r in one(closed, "NetworkPolicy")["spec"]["ingress"] if r["ports"][0]["port"] == 8080])
        r = helm("install", "detectd", CHART, "--dry-run=client", "-n", "detectd", "--set", "ingest.enabled=true",
                 "--set", "ingest.tokenSecret=t")
        self.assertIn("keeps the ingest port closed", r.stdout)

    def test_ingest_tls_native_with_the_grpc_certificate(self):
        # tls.enabled: detectd serves HTTPS on the ingest port itself, with --tls_cert; client CA from a Secret.
        docs = render("--set", "ingest.enabled=true", "--set", "ingest.tls.clientAuth=true",
                      "--set", "tls.enabled=true", "--set", "tls.secretName=grpc-cert",
                      "--set", "ingest.tls.clientCASecret=senders-ca")
        _, _, containers, volumes = self.pod_parts(docs)
        f = flags(docs)
        self.assertEqual(list(containers), ["detectd"])
        self.assertEqual(f["ingest_listen"], "0.0.0.0:8080")
        self.assertEqual(f["tls_cert"], "/etc/detectd/tls/tls.crt")
        self.assertEqual(f["ingest_client_ca"], "/etc/detectd/ingest/client-ca/ca.crt")
        self.assertNotIn("ingest_token_file", f, "client certificates alone authenticate")
        self.assertEqual(volumes["ingest-tls-ca"]["secret"]["secretName"], "senders-ca")
        self.assertIn({"name": "ingest-tls-ca", "mountPath": "/etc/detectd/ingest/client-ca", "readOnly": True},
                      containers["detectd"]["volumeMounts"])
        self.assertIn("ingest", [p["name"] for p in containers["detectd"]["ports"]])
        self.assertEqual(one(docs, "Service", "detectd-ingest")["spec"]["ports"][0]["appProtocol"], "https")
        # With the gRPC port's mTLS on, its CA (the TLS Secret's ca.crt) is the default.
        reuse = render("--set", "ingest.enabled=true", "--set", "ingest.tls.clientAuth=true", "--set", "tls.enabled=true",
                       "--set", "tls.secretName=grpc-cert", "--set", "tls.clientAuth=true")
        self.assertEqual(self.pod_parts(reuse)[3]["ingest-tls-ca"]["secret"]["secretName"], "grpc-cert")
        # A token without TLS options: the ingest port still serves HTTPS (detectd ties it to --tls_cert).
        token = render("--set", "ingest.enabled=true", "--set", "ingest.tokenSecret=t", "--set", "tls.enabled=true",
                       "--set", "tls.secretName=grpc-cert")
        self.assertNotIn("ingest_client_ca", flags(token))
        self.assertEqual(one(token, "Service", "detectd-ingest")["spec"]["ports"][0]["appProtocol"], "https")

    def test_ingest_tls_proxy_with_its_own_certificate(self):
        docs = render("--set", "ingest.enabled=true", "--set", "ingest.tls.enabled=true", "--set", "ingest.tls.clientAuth=true",
                      "--set", "ingest.tls.secretName=ingest-cert", "--set", "ingest.tls.clientCASecret=senders-ca",
                      "--set", "networkPolicy.ingestFrom[0].podSelector.matchLabels.app=fluent-bit")
        _, _, containers, volumes = self.pod_parts(docs)
        self.assertEqual(list(containers), ["detectd", "ingest-tls"])
        # Plain HTTP stays inside the pod: detectd binds loopback; the proxy owns the ingest port.
        self.assertEqual(flags(docs)["ingest_listen"], "127.0.0.1:8081")
        self.assertNotIn("ingest_client_ca", flags(docs))
        self.assertNotIn("ingest", [p["name"] for p in containers["detectd"]["ports"]])
        proxy = containers["ingest-tls"]
        self.assertEqual(proxy["ports"], [{"name": "ingest", "containerPort": 8080, "protocol": "TCP"}])
        for a in ("server", "--listen=0.0.0.0:8080", "--target=127.0.0.1:8081", "--cert=/etc/ingest-tls/tls.crt",
                  "--key=/etc/ingest-tls/tls.key", "--cacert=/etc/ingest-tls-ca/ca.crt", "--allow-all"):
            self.assertIn(a, proxy["args"])
        self.assertNotIn("--disable-authentication", proxy["args"])
        self.assert_locked_down(proxy)
        self.assertEqual(volumes["ingest-tls"]["secret"]["secretName"], "ingest-cert")
        self.assertEqual(volumes["ingest-tls-ca"]["secret"]["secretName"], "senders-ca")
        self.assertEqual(one(docs, "Service", "detectd-ingest")["spec"]["ports"][0]["appProtocol"], "https")
        own = render("--set", "ingest.enabled=true", "--set", "ingest.tokenSecret=t", "--set", "ingest.tls.enabled=true",
                     "--set", "ingest.tls.secretName=ingest-cert")
        _, _, containers, volumes = self.pod_parts(own)
        self.assertIn("--disable-authentication", containers["ingest-tls"]["args"])
        self.assertNotIn("ingest-tls-ca", volumes)

    EVERYTHING = ("--set", "alerts.store=redis", "--set", "alerts.redis.url=redis://r:6379",
                  "--set", "alerts.redis.passwordSecret=r", "--set", "alerts.redis.prefix=p",
                  "--set", "alerts.redis.partitions=4", "--set", "alerts.webhooks.urls={https://x.example}",
                  "--set", "alerts.webhooks.existingSecret=w", "--set", "alerts.webhooks.hmacSecret=h",
                  "--set", "alerts.webhooks.attempts=2", "--set", "alerts.webhooks.timeoutSeconds=3",
                  "--set", "alerts.file=/var/log/detectd/a.ndjson", "--set", "alerts.updateIntervalSeconds=60",
                  "--set", "alerts.maxWindows=1000", "--set", "alerts.maxQueue=100",
                  "--set", "ingest.enabled=true", "--set", "ingest.tokenSecret=t",
                  "--set", "ingest.firehoseAccessKeySecret=f", "--set", "ingest.tls.clientAuth=true",
                  "--set", "rules.source=git",
                  "--set", "rules.git.repo=https://x.example/r.git", "--set", "rules.git.credentialsSecret=g",
                  "--set", "networkPolicy.ingestFrom[0].podSelector.matchLabels.app=x")

    def test_every_rendered_flag_exists_in_detectd(self):
        """Every --flag the chart can pass is one detectd knows (detectd exits at start on an unknown flag)."""
        detectd = os.environ.get("DETECTD") or str(ROOT / "build/bin/detectd")
        self.assertTrue(os.access(detectd, os.X_OK), f"no detectd at {detectd}: build it or set DETECTD")
        r = subprocess.run([detectd, "--helpfull"], capture_output=True, text=True)
        known = set(re.findall(r"--([a-z_0-9]+)", r.stdout + r.stderr))
        self.assertIn("rules", known, r.stdout + r.stderr)
        rendered = set()
        proxy = render(*self.EVERYTHING, "--set", "ingest.tls.enabled=true", "--set", "ingest.tls.secretName=i")
        for docs in (self.default, self.all_on, render(*self.EVERYTHING, "-f", ALL_ON), proxy):
            rendered |= {a[2:].split("=", 1)[0] for a in container(docs)["args"]
                         if a.startswith("--") and a != "--some_future_flag=1"}
        self.assertEqual(sorted(rendered - known), [], f"flags the chart renders that {detectd} does not know")

    def test_lint_with_every_feature(self):
        for extra in (("-f", ALL_ON), ("--set", "ingest.tls.enabled=true", "--set", "ingest.tls.secretName=i")):
            r = helm("lint", "--strict", CHART, *self.EVERYTHING, *extra)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        for extra in (("--set", "rules.source=image", "--set", "rules.image.reference=r:1"),
                      ("--set", "rules.source=image", "--set", "rules.image.reference=r:1", "--set", "rules.image.mode=volume")):
            r = helm("lint", "--strict", CHART, *extra)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_image_registry_tag_and_digest(self):
        self.assertEqual(container(self.default)["image"], "detectd:0.1.0")
        self.assertEqual(container(render("--set", "image.registry=registry.example.com/sec", "--set",
                                          "image.tag=1.2.3"))["image"], "registry.example.com/sec/detectd:1.2.3")
        digest = "sha256:" + "a" * 64
        self.assertEqual(container(render("--set", "image.digest=" + digest))["image"], "detectd@" + digest)

    def test_service_monitor_options_and_dashboard(self):
        docs = render("--set", "serviceMonitor.enabled=true", "--set", "serviceMonitor.scheme=https",
                      "--set", "serviceMonitor.tlsConfig.insecureSkipVerify=true",
                      "--set", "serviceMonitor.relabelings[0].targetLabel=cluster",
                      "--set", "serviceMonitor.relabelings[0].replacement=prod",
                      "--set", "grafanaDashboard.enabled=true")
        endpoint = one(docs, "ServiceMonitor")["spec"]["endpoints"][0]
        self.assertEqual(endpoint["scheme"], "https")
        self.assertEqual(endpoint["tlsConfig"], {"insecureSkipVerify": True})
        self.assertEqual(endpoint["relabelings"], [{"targetLabel": "cluster", "replacement": "prod"}])
        dashboard = one(docs, "ConfigMap", "detectd-dashboard")
        self.assertEqual(dashboard["metadata"]["labels"]["grafana_dashboard"], "1")
        import json
        panels = json.loads(dashboard["data"]["detectd.json"])["panels"]
        exprs = " ".join(t["expr"] for p in panels for t in p["targets"])
        for metric in ("detectd_events_evaluated_total", "detectd_matches_total", "grpc_server_handled_total",
                       "grpc_server_handling_seconds_bucket", "process_resident_memory_bytes"):
            self.assertIn(metric, exprs)
        self.assertFalse(find(self.default, "ConfigMap", "detectd-dashboard"), "the dashboard is off by default")

    def test_inline_rule_replaces_bundled_rule(self):
        path = next(iter(repo_rule_files()), "aws_eks/anonymous_api_access.yml")
        with tempfile.NamedTemporaryFile("w", suffix=".yaml") as f:
            yaml.safe_dump({"rules": {"inline": {path: "RuleID: Replaced\n"}}}, f)
            f.flush()
            self.assertEqual(mounted_files(render("-f", f.name), "rules")[key(path)], "RuleID: Replaced\n")

    def test_lookup_tables_only_when_configured(self):
        self.assertNotIn("lookup_tables", flags(self.default))
        self.assertEqual(mounted_files(self.all_on, "lookup_tables"),
                         deployed(self.all_on_values["lookupTables"]["inline"]))

    def test_security_context_locked_down(self):
        for docs in (self.default, self.all_on):
            pod = one(docs, "Deployment")["spec"]["template"]["spec"]
            for sc in (pod["securityContext"], container(docs)["securityContext"]):
                self.assertIs(sc["runAsNonRoot"], True)
                self.assertEqual(sc["runAsUser"], 65532)
                self.assertEqual(sc["seccompProfile"], {"type": "RuntimeDefault"})
            sc = container(docs)["securityContext"]
            self.assertIs(sc["readOnlyRootFilesystem"], True)
            self.assertIs(sc["allowPrivilegeEscalation"], False)
            self.assertEqual(sc["capabilities"]["drop"], ["ALL"])

    def test_tls_only_when_enabled(self):
        tls_flags = {"tls_cert", "tls_key", "tls_client_ca", "health_listen"}
        self.assertFalse(tls_flags & flags(self.default).keys())
        pod = one(self.default, "Deployment")["spec"]["template"]["spec"]
        self.assertFalse([v for v in pod.get("volumes", []) if "secret" in v])

        self.assertLessEqual(tls_flags, flags(self.all_on).keys())
        f = flags(self.all_on)
        pod = one(self.all_on, "Deployment")["spec"]["template"]["spec"]
        (secret,) = [v for v in pod["volumes"] if "secret" in v]
        self.assertEqual(secret["secret"]["secretName"], "detectd-tls")
        (mount,) = [m for m in container(self.all_on)["volumeMounts"] if m["name"] == secret["name"]]
        for flag, key in (("tls_cert", "tls.crt"), ("tls_key", "tls.key"), ("tls_client_ca", "ca.crt")):
            self.assertEqual(f[flag], f"{mount['mountPath']}/{key}")
            self.assertIn(key, [i["key"] for i in secret["secret"]["items"]])

        server_tls = render("--set", "tls.enabled=true", "--set", "tls.secretName=s")
        self.assertNotIn("tls_client_ca", flags(server_tls))
        self.assertIn("tls_cert", flags(server_tls))
        self.assertEqual(container(server_tls)["readinessProbe"]["grpc"]["port"], 50052)

    def test_optional_objects_only_when_enabled(self):
        for kind, name in (("HorizontalPodAutoscaler", None), ("PodDisruptionBudget", None),
                           ("ServiceMonitor", None), ("Service", "detectd-headless"),
                           ("ConfigMap", "detectd-lookup-tables")):
            self.assertEqual(find(self.default, kind, name), [], f"{kind} {name or ''} rendered by default")
            self.assertEqual(len(find(self.all_on, kind, name)), 1, f"{kind} {name or ''} missing when enabled")
        self.assertEqual(one(self.all_on, "Service", "detectd-headless")["spec"]["clusterIP"], "None")
        self.assertEqual(one(self.all_on, "HorizontalPodAutoscaler")["apiVersion"], "autoscaling/v2")
        self.assertEqual(one(self.all_on, "ServiceMonitor")["spec"]["endpoints"][0]["port"], "metrics")
        # The HPA owns the replica count.
        self.assertEqual(one(self.default, "Deployment")["spec"]["replicas"], self.values["replicaCount"])
        self.assertNotIn("replicas", one(self.all_on, "Deployment")["spec"])

    def test_service_ports(self):
        ports = {p["name"]: p["port"] for p in one(self.default, "Service", "detectd")["spec"]["ports"]}
        self.assertEqual(ports, {"grpc": 50051, "metrics": 9090})

    def test_network_policy_restricts_grpc_port(self):
        self.assertEqual(find(render("--set", "networkPolicy.enabled=false"), "NetworkPolicy"), [])
        policy = one(self.default, "NetworkPolicy")["spec"]
        self.assertEqual(policy["podSelector"]["matchLabels"],
                         one(self.default, "Deployment")["spec"]["selector"]["matchLabels"])
        self.assertIn("Ingress", policy["policyTypes"])
        by_port = {}
        for rule in policy["ingress"]:
            self.assertTrue(rule.get("from"), f"ingress rule open to every source: {rule}")
            self.assertTrue(rule.get("ports"), f"ingress rule open on every port: {rule}")
            for p in rule["ports"]:
                by_port.setdefault(p["port"], []).extend(rule["from"])
        self.assertEqual(set(by_port), {50051, 9090})
        self.assertEqual(by_port[50051], self.values["networkPolicy"]["grpcFrom"])
        self.assertEqual(by_port[9090], self.values["networkPolicy"]["metricsFrom"])

    def test_no_service_account_token(self):
        for docs in (self.default, self.all_on):
            self.assertIs(one(docs, "ServiceAccount")["automountServiceAccountToken"], False)
            self.assertIs(one(docs, "Deployment")["spec"]["template"]["spec"]["automountServiceAccountToken"], False)

    def test_termination_grace_exceeds_shutdown_grace(self):
        for docs, grace in ((self.default, self.values["server"]["shutdownGraceSeconds"]),
                            (self.all_on, self.all_on_values["server"]["shutdownGraceSeconds"])):
            self.assertEqual(int(flags(docs)["shutdown_grace_seconds"]), grace)
            self.assertGreater(one(docs, "Deployment")["spec"]["template"]["spec"]["terminationGracePeriodSeconds"], grace)

    def test_limit_flags_only_when_set(self):
        self.assertFalse([k for k in flags(self.default) if k.startswith("max_")])
        self.assertEqual(flags(self.all_on)["max_message_bytes"], "8388608")
        self.assertEqual(flags(self.all_on)["max_concurrent_streams"], "256")

    def test_bad_values_fail_with_a_clear_message(self):
        cases = {
            ("--set", "replicaCount=-1"): r"replicaCount.*(minimum|-1)|(minimum|-1).*replicaCount",
            ("--set", "unknownKey=1"): r"unknownKey",
            ("--set", "server.grpcPort=0"): r"grpcPort",
            ("--set", "tls.enabled=true"): r"secretName",
            ("--set", "tls.clientAuth=true"): r"enabled",
            ("--set", "terminationGracePeriodSeconds=5"): r"terminationGracePeriodSeconds",
            ("--set", "autoscaling.enabled=true", "--set", "resources.requests=null"): r"resources.requests.cpu",
            ("--set", "rules.source=svn"): r"rules.source|source",
            ("--set", "ingest.enabled=true"): r"ingest.tokenSecret.*never opens an unauthenticated",
            ("--set", "ingest.enabled=true", "--set", "ingest.tls.enabled=true", "--set", "ingest.tls.secretName=s"):
                r"authentication",
            ("--set", "ingest.enabled=true", "--set", "ingest.tokenSecret=t", "--set", "ingest.tls.enabled=true"):
                r"ingest.tls.secretName",
            ("--set", "ingest.enabled=true", "--set", "ingest.tokenSecret=t", "--set", "ingest.tls.clientAuth=true"):
                r"needs TLS on the ingest port",
            ("--set", "ingest.enabled=true", "--set", "ingest.tls.clientAuth=true", "--set", "tls.enabled=true",
             "--set", "tls.secretName=g"): r"ingest.tls.clientCASecret",
            ("--set", "ingest.enabled=true", "--set", "ingest.tokenSecret=t", "--set", "tls.enabled=true",
             "--set", "tls.secretName=g", "--set", "ingest.tls.secretName=other"): r"serves the gRPC certificate",
            ("--set", "ingest.enabled=true", "--set", "ingest.tokenSecret=t", "--set", "ingest.tls.enabled=true",
             "--set", "ingest.tls.secretName=s", "--set", "ingest.tls.backendPort=8080"): r"backendPort",
            ("--set", "alerts.store=redis"): r"alerts.redis.url",
            ("--set", "alerts.redis.url=redis://r:6379"): r"alerts.store=redis",
            ("--set", "alerts.webhooks.hmacSecret=h"): r"alerts.webhooks.urls",
            ("--set", "alerts.webhooks.format=teams"): r"format",
            ("--set", "alerts.webhooks.urls={ftp://x}"): r"urls",
            ("--set", "alerts.file=relative.ndjson"): r"alerts.file|file",
            ("--set", "alerts.store=redis", "--set", "alerts.redis.url=unix:///r.sock",
             "--set", "alerts.redis.passwordSecret=p"): r"redis://",
            ("--set", "rules.source=git"): r"rules.git.repo",
            ("--set", "rules.source=image"): r"rules.image.reference",
            ("--set", "rules.source=git", "--set", "rules.git.repo=https://x/y.git",
             "--set", "rules.existingConfigMaps={a}"): r"rules.source=configMap",
            ("--set", "rules.source=git", "--set", "rules.git.repo=https://x/y.git",
             "--set", "rules.git.path=../etc"): r"rules.git.path|path",
        }
        for args, message in cases.items():
            with self.subTest(args=args):
                r = helm("template", "detectd", CHART, *args)
                self.assertNotEqual(r.returncode, 0, f"helm template {' '.join(args)} succeeded")
                self.assertRegex(r.stderr, re.compile(message, re.S))

    def test_readme_documents_every_value(self):
        readme = (CHART / "README.md").read_text()

        def leaves(node, prefix=""):
            for key, value in node.items():
                path = prefix + key
                if isinstance(value, dict) and value and key != "resources":
                    yield from leaves(value, path + ".")
                else:
                    yield path

        missing = [p for p in leaves(self.values) if f"`{p}`" not in readme]
        self.assertEqual(missing, [], "values not documented in helm/detectd/README.md")


if __name__ == "__main__":
    unittest.main(verbosity=2)
