#!/usr/bin/python3
"""The detect.v1 contract from Go: tests/integration/go_client (grpc-go + protobuf-go) against the real detectd.

Offline, from Debian 12 packages only (scripts/install-deps.sh --with-tests): protoc with protoc-gen-go and
protoc-gen-go-grpc generates the detect.v1 package into a temporary GOPATH, and `go build` (GOPATH mode,
GO111MODULE=off, GOPROXY=off) compiles the client against /usr/share/gocode (golang-google-grpc-dev,
golang-google-protobuf-dev, golang-github-golang-protobuf-1-5-dev). detectd runs on the bundled rules; the client
makes the same checks as python_client_test.py. Exit 77 (skipped) when the Go toolchain or plugins are absent.

  /usr/bin/python3 tests/integration/go_client_test.py --detectd build/bin/detectd --source . [--gocache DIR]
"""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testing"))
from detectd_harness import arguments  # noqa: E402
from python_client_test import start_detectd  # noqa: E402

GOCODE = "/usr/share/gocode"
IMPORT_PATH = "detectd.dev/gen/go/detect/v1"  # option go_package of proto/detect/v1/detect.proto


def main():
    parser = arguments(detectctl=False)
    parser.add_argument("--gocache", help="Go build cache directory (kept between runs); default: a temp dir")
    args = parser.parse_args()
    tools = {t: shutil.which(t) for t in ("go", "protoc", "protoc-gen-go", "protoc-gen-go-grpc")}
    missing = [t for t, path in tools.items() if not path]
    if missing or not os.path.isdir(os.path.join(GOCODE, "src/google.golang.org/grpc")):
        print("go_client_test: SKIP: needs %s and golang-google-grpc-dev (scripts/install-deps.sh --with-tests)"
              % (", ".join(missing) or "the Go packages"))
        return 77
    # github.com/golang/protobuf 1.3 (golang-github-golang-protobuf-1-3-dev) also satisfies grpc's dependency,
    # but its marshaller panics on protoc-gen-go 1.28's messages; 1.5 delegates to google.golang.org/protobuf.
    if os.path.exists(os.path.join(GOCODE, "src/github.com/golang/protobuf/proto/table_marshal.go")):
        print("go_client_test: FAIL: github.com/golang/protobuf is 1.3 (golang-github-golang-protobuf-1-3-dev); "
              "install golang-github-golang-protobuf-1-5-dev (scripts/install-deps.sh --with-tests)")
        return 1

    source = os.path.abspath(args.source)
    tmp = tempfile.mkdtemp(prefix="detect_go_")
    d = None
    try:
        gopath = os.path.join(tmp, "gopath")
        src = os.path.join(gopath, "src")
        os.makedirs(os.path.join(src, "detectclient"))
        subprocess.run([tools["protoc"], "-I", os.path.join(source, "proto"), "--go_out=" + src,
                        "--go-grpc_out=" + src, "detect/v1/detect.proto"], check=True)
        assert os.path.exists(os.path.join(src, IMPORT_PATH, "detect_grpc.pb.go")), "generated code not at go_package"
        shutil.copy(os.path.join(source, "tests/integration/go_client/main.go"), os.path.join(src, "detectclient"))
        env = dict(os.environ, GO111MODULE="off", GOPATH=gopath + ":" + GOCODE, GOPROXY="off", GOFLAGS="",
                   GOCACHE=os.path.abspath(args.gocache) if args.gocache else os.path.join(tmp, "gocache"),
                   CGO_ENABLED="0")
        client = os.path.join(tmp, "go_client")
        build = subprocess.run([tools["go"], "build", "-o", client, "detectclient"], env=env, cwd=tmp,
                               capture_output=True, text=True)
        if build.returncode != 0:
            print("go_client_test: FAIL: go build:\n" + build.stdout + build.stderr)
            return 1

        d = start_detectd(args.detectd, source, tmp)
        run = subprocess.run([client, "-addr", "127.0.0.1:%d" % d.port,
                              "-events", os.path.join(source, "tests/testdata/seed_events.ndjson")],
                             capture_output=True, text=True, timeout=120)
        sys.stdout.write(run.stdout)
        if run.returncode != 0:
            print("go_client_test: FAIL: the Go client:\n" + run.stderr)
            return 1
        code = d.stop(30)
        d = None
        if code != 0:
            print("go_client_test: FAIL: detectd exited %s after SIGTERM" % code)
            return 1
        print("go_client_test: PASS")
        return 0
    finally:
        if d is not None:
            d.kill()
            sys.stderr.write(d.output())
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
