#!/usr/bin/python3
"""Checks the Dockerfile against scripts/install-deps.sh: the build stage installs through that script, the
runtime stage installs a runtime library for every -dev library of BUILD_PACKAGES, runs as a non-root user and
starts detectd. There is no Docker engine in CI, so this reads the file instead of building it."""
import json
import pathlib
import re
import subprocess
import unittest

ROOT = pathlib.Path(__file__).resolve().parents[2]

# Debian 12 runtime package of each -dev package in BUILD_PACKAGES (checked against apt-cache below).
DEV_TO_RUNTIME = {
    "libgrpc++-dev": "libgrpc++1.51",
    "libprotobuf-dev": "libprotobuf32",
    "libabsl-dev": "libabsl20220623",
    "libre2-dev": "libre2-9",
    "libyaml-cpp-dev": "libyaml-cpp0.7",
    "libsimdjson-dev": "libsimdjson14",
    "libhiredis-dev": "libhiredis0.14",
    "libcurl4-openssl-dev": "libcurl4",
    "libcivetweb-dev": "libcivetweb1",
    "libssl-dev": "libssl3",
    "zlib1g-dev": "zlib1g",
}


def build_packages():
    text = (ROOT / "scripts/install-deps.sh").read_text()
    m = re.search(r"^BUILD_PACKAGES=\((.*?)\)", text, re.S | re.M)
    assert m, "scripts/install-deps.sh has no BUILD_PACKAGES=( ... ) array"
    lines = [line.split("#", 1)[0] for line in m.group(1).splitlines()]
    return " ".join(lines).split()


def stages():
    """Dockerfile instructions grouped by stage: [[(INSTRUCTION, args), ...], ...]."""
    text = (ROOT / "Dockerfile").read_text()
    lines = [l for l in text.splitlines() if not l.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    result = []
    for line in joined.splitlines():
        if not line.strip():
            continue
        instr, _, args = line.strip().partition(" ")
        if instr.upper() == "FROM":
            result.append([])
        result[-1].append((instr.upper(), " ".join(args.split())))
    return result


def apt_installed(stage):
    """Package names of every `apt-get install` in a stage."""
    pkgs = []
    for instr, args in stage:
        if instr != "RUN":
            continue
        for cmd in re.split(r"&&|;", args):
            words = cmd.split()
            if "apt-get" in words and "install" in words:
                pkgs += [w for w in words[words.index("install") + 1:] if not w.startswith("-")]
    return pkgs


class DockerfileTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.build_packages = build_packages()
        cls.stages = stages()
        cls.build, cls.runtime = cls.stages[0], cls.stages[-1]

    def args(self, stage, instr):
        return [a for i, a in stage if i == instr]

    def test_two_stages_on_debian_12(self):
        self.assertEqual(len(self.stages), 2, "expected a build stage and a runtime stage")
        self.assertRegex(self.args(self.build, "FROM")[0], r"^debian:12 AS \w+$")
        self.assertEqual(self.args(self.runtime, "FROM")[0], "debian:12-slim")

    def test_build_stage_installs_build_packages(self):
        runs = self.args(self.build, "RUN")
        via_script = any("scripts/install-deps.sh" in r for r in runs)
        if not via_script:
            self.assertEqual(sorted(apt_installed(self.build)), sorted(self.build_packages),
                             "the build stage must run scripts/install-deps.sh or install exactly BUILD_PACKAGES")
        else:
            self.assertTrue(any("scripts/install-deps.sh" in c for c in self.args(self.build, "COPY")),
                            "the build stage runs scripts/install-deps.sh without copying it in first")
            self.assertFalse(any("--with-tests" in r for r in runs), "the image build needs no test packages")
        self.assertTrue(any("cmake -S . -B build -G Ninja -DDETECT_BUILD_TESTS=OFF" in r for r in runs))
        self.assertTrue(any("cmake --build build" in r for r in runs))

    def test_runtime_stage_has_a_runtime_library_for_every_dev_package(self):
        runtime = set(apt_installed(self.runtime))
        for dev in (p for p in self.build_packages if p.endswith("-dev")):
            with self.subTest(dev=dev):
                self.assertIn(dev, DEV_TO_RUNTIME, f"add the runtime package of {dev} to DEV_TO_RUNTIME")
                self.assertIn(DEV_TO_RUNTIME[dev], runtime, f"runtime stage lacks {DEV_TO_RUNTIME[dev]} ({dev})")
        self.assertFalse([p for p in runtime if p.endswith("-dev")], "no -dev packages at runtime")
        self.assertFalse(runtime & {"build-essential", "cmake", "ninja-build", "ccache", "protobuf-compiler"})

    def test_runtime_mapping_matches_debian(self):
        # The mapping's names are real: each -dev package depends on its runtime package in Debian 12.
        r = subprocess.run(["apt-cache", "depends", *DEV_TO_RUNTIME], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, f"apt-cache depends failed: {r.stderr.strip()}")
        sections = dict(re.findall(r"^(\S+)\n((?:[ |].*\n?)*)", r.stdout, re.M))
        for dev, lib in DEV_TO_RUNTIME.items():
            with self.subTest(dev=dev):
                self.assertRegex(sections.get(dev, ""), rf"Depends: {re.escape(lib)}\n", f"{dev} does not depend on {lib}")

    def test_runtime_stage_ships_binaries_and_rules(self):
        copies = self.args(self.runtime, "COPY")
        binaries = " ".join(c for c in copies if c.startswith("--from="))
        for name in ("detectd", "detectctl"):
            self.assertIn(f"build/bin/{name}", binaries)
        self.assertTrue(any(re.fullmatch(r"--from=\S+ .* /usr/local/bin/", c) for c in copies))
        self.assertIn("rules/ /etc/detectd/rules/", copies)

    def test_runs_as_non_root(self):
        users = self.args(self.runtime, "USER")
        self.assertTrue(users, "the runtime stage sets no USER, so it runs as root")
        user = users[-1].split(":")[0]
        self.assertNotIn(user, ("0", "root"))
        self.assertEqual(user, "65532", "the Helm chart's runAsUser is 65532")

    def test_entrypoint_is_detectd(self):
        self.assertEqual(json.loads(self.args(self.runtime, "ENTRYPOINT")[-1]), ["/usr/local/bin/detectd"])
        cmd = json.loads(self.args(self.runtime, "CMD")[-1])
        self.assertEqual(cmd, ["--rules=/etc/detectd/rules", "--listen=0.0.0.0:50051",
                               "--metrics_listen=0.0.0.0:9090"])

    def test_dockerignore_keeps_the_build_inputs(self):
        ignored = {l.strip().rstrip("/") for l in (ROOT / ".dockerignore").read_text().splitlines()}
        for needed in ("CMakeLists.txt", "engine", "server", "client", "proto", "scripts", "rules"):
            self.assertNotIn(needed, ignored)


if __name__ == "__main__":
    unittest.main(verbosity=2)
