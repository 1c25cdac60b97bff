# pushsync's image: a build stage with only the build's packages, then a
# slim runtime with the binary and the shared libraries it links.
#   docker build -t pushsync .        (podman build works the same)
# Nothing here names an architecture: it builds on amd64 and arm64 alike.

FROM debian:12 AS build
WORKDIR /src
# The package layer is cached until the install script changes.
COPY scripts/install-deps.sh scripts/
RUN scripts/install-deps.sh build && apt-get clean && rm -rf /var/lib/apt/lists/*
COPY CMakeLists.txt ./
COPY cmake cmake
COPY sql sql
COPY triggers triggers
COPY sidecar sidecar
COPY examples/todo/client examples/todo/client
# The library compiles in the unity groups CMakeLists.txt names. What
# configuring needs is copied above: the test scripts/check-image-context.sh
# configures a copy of just those paths.
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=Release -DPUSHSYNC_TESTS=OFF && \
    cmake --build /build -j"$(nproc)" --target pushsync && \
    strip /build/pushsync

FROM debian:12-slim
ARG VERSION=0.2.0
LABEL org.opencontainers.image.title="pushsync" \
      org.opencontainers.image.description="Row changes in PostgreSQL become silent push-to-sync notifications (APNs, FCM, WebSocket)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.documentation="README.md, section Deploying"
RUN apt-get update && \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libpqxx-6.4 libyaml-cpp0.7 libspdlog1.10 libfmt9 libssl3 libnghttp2-14 libjemalloc2 ca-certificates && \
    apt-get clean && rm -rf /var/lib/apt/lists/* && \
    groupadd --gid 10001 pushsync && \
    useradd --uid 10001 --gid 10001 --home-dir /home/pushsync --create-home --shell /usr/sbin/nologin pushsync && \
    mkdir -p /etc/pushsync
COPY --from=build /build/pushsync /usr/local/bin/pushsync
# Numeric, so that Kubernetes' runAsNonRoot can verify it.
USER 10001:10001
ENV HOME=/home/pushsync \
    PUSHSYNC_CONFIG=/etc/pushsync/pushsync.yaml
WORKDIR /home/pushsync
EXPOSE 8080
# Ready = migrations applied, database reachable, providers usable.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["/usr/local/bin/pushsync", "probe", "--ready"]
ENTRYPOINT ["/usr/local/bin/pushsync"]
CMD ["run"]
