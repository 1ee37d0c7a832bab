# Schemagate registry server image.
#   docker build -t schemagate .
#   docker run -p 8081:8081 -v schemagate-data:/var/lib/schemagate schemagate
#
# Stage 1 builds the dependency graph alone, so that a change to our sources does not
# rebuild every crate from crates.io; stage 2 is a small runtime with a non-root user.

FROM rust:1.88-slim-bookworm AS build
WORKDIR /src

# Manifests first: this layer and the dependency build below are cached until a
# Cargo.toml or the lock file changes.
COPY Cargo.toml Cargo.lock ./
COPY core/Cargo.toml core/Cargo.toml
COPY client/Cargo.toml client/Cargo.toml
COPY server/Cargo.toml server/Cargo.toml
COPY cli/Cargo.toml cli/Cargo.toml
COPY tests/Cargo.toml tests/Cargo.toml
COPY bench/Cargo.toml bench/Cargo.toml
RUN for crate in core client server cli tests bench; do \
        mkdir -p "$crate/src" "$crate/benches" "$crate/tests" \
        && echo 'fn main() {}' > "$crate/src/main.rs" \
        && touch "$crate/src/lib.rs"; \
    done \
    && echo 'fn main() {}' > core/benches/compat.rs \
    && echo 'fn main() {}' > core/benches/compat_json.rs \
    && cargo build --release -p schemagate-server --locked \
    && rm -rf core client server cli tests bench

# Our sources: only this layer and the final link rebuild on a code change.
COPY core core
COPY client client
COPY server server
COPY cli cli
COPY tests tests
COPY bench bench
# Cargo decides freshness by mtime: make sure the real sources win over the stubs.
RUN find core client server cli tests bench -name '*.rs' -exec touch {} + \
    && cargo build --release -p schemagate-server --locked \
    && cp target/release/schemagate-server /usr/local/bin/schemagate-server

FROM debian:bookworm-slim AS runtime
RUN useradd --system --uid 10001 --home-dir /var/lib/schemagate --shell /usr/sbin/nologin schemagate \
    && mkdir -p /var/lib/schemagate \
    && chown schemagate:schemagate /var/lib/schemagate
COPY --from=build /usr/local/bin/schemagate-server /usr/local/bin/schemagate-server
USER schemagate
WORKDIR /var/lib/schemagate
ENV SCHEMAGATE_LISTEN=0.0.0.0:8081 \
    SCHEMAGATE_DATA_DIR=/var/lib/schemagate \
    SCHEMAGATE_LOG_FORMAT=json
VOLUME ["/var/lib/schemagate"]
EXPOSE 8081
# bash's /dev/tcp keeps the image free of curl/wget just for the probe.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8081 && printf 'GET /health HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/schemagate-server"]
