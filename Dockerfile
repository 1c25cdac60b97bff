# Build stage: the same install script as development, then a release build.
FROM debian:12 AS build
WORKDIR /src
COPY . .
RUN scripts/install-deps.sh && \
    cmake -S . -B /build -DCMAKE_BUILD_TYPE=Release -DPUSHSYNC_TESTS=OFF && \
    cmake --build /build -j"$(nproc)"

# Runtime stage: the binary and the shared libraries it links, nothing else.
FROM debian:12-slim
RUN apt-get update && \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libpqxx-6.4 libyaml-cpp0.7 libspdlog1.10 libfmt9 libssl3 libnghttp2-14 libjemalloc2 ca-certificates && \
    rm -rf /var/lib/apt/lists/* && \
    useradd --system --no-create-home pushsync
COPY --from=build /build/pushsync /usr/local/bin/pushsync
USER pushsync
ENV PUSHSYNC_CONFIG=/etc/pushsync.yaml
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/pushsync"]
CMD ["run"]
