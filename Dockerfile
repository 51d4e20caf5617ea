# Container image of detectd: builds detectd and detectctl on Debian 12, then ships them with only their runtime
# shared libraries and the bundled rules on debian:12-slim. Build with `docker build -t detectd .`
# (tests/helm/test_dockerfile.py checks this file against scripts/install-deps.sh).

# Build stage. scripts/install-deps.sh is the single source of the build package list (BUILD_PACKAGES);
# it is copied alone first so the package layer stays cached while the sources change.
FROM debian:12 AS build
WORKDIR /src
COPY scripts/install-deps.sh scripts/install-deps.sh
RUN scripts/install-deps.sh && rm -rf /var/lib/apt/lists/*
COPY . .
# The build context has no .git: pass `--build-arg DETECT_GIT_DESCRIBE=$(git describe --tags --always --dirty)`
# so that --version names the commit (else it says "unknown").
ARG DETECT_GIT_DESCRIBE=""
ENV DETECT_GIT_DESCRIBE=${DETECT_GIT_DESCRIBE}
RUN cmake -S . -B build -G Ninja -DDETECT_BUILD_TESTS=OFF && cmake --build build

# Runtime stage: the Debian runtime packages of the -dev libraries in BUILD_PACKAGES, nothing else.
FROM debian:12-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libgrpc++1.51 libprotobuf32 libabsl20220623 libre2-9 libyaml-cpp0.7 libsimdjson14 \
      libcivetweb1 libssl3 zlib1g libhiredis0.14 libcurl4 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/build/bin/detectd /src/build/bin/detectctl /usr/local/bin/
# The civetweb OpenSSL shims detectd loads from <bin>/../lib/detectd for TLS on the ingest port.
COPY --from=build /src/build/lib/detectd/ /usr/local/lib/detectd/
COPY rules/ /etc/detectd/rules/
# 65532: the conventional "nonroot" uid/gid; the Helm chart runs the pod with the same ids.
USER 65532:65532
EXPOSE 50051 9090
ENTRYPOINT ["/usr/local/bin/detectd"]
CMD ["--rules=/etc/detectd/rules", "--listen=0.0.0.0:50051", "--metrics_listen=0.0.0.0:9090"]
