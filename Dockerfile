# Schemagate registry server image.
#   docker build -t schemagate .
#   docker run -p 127.0.0.1:8081:8081 -v schemagate-data:/var/lib/schemagate schemagate
#
# Stage 1 builds the dependency graph alone, so that a change to our sources does not
# rebuild every crate from crates.io; stage 2 is a small runtime with a non-root user.
# Configure the container with SCHEMAGATE_* variables rather than flags: the
# HEALTHCHECK's probe reads the same variables, so it follows --listen and TLS.
# `.ci/image` builds this file and runs the result (see its header).
#
# Fully qualified names: engines without a default registry (podman, buildah with
# short-name resolution enforcing) refuse `rust:...`.

FROM docker.io/library/rust:1.88-slim-bookworm AS build
WORKDIR /src
# The image's binary carries no debug information and no symbols (16 MiB instead of 99;
# a panic still reports its message and source line, a backtrace loses its function
# names), and skipping debug information also shortens the build. Set here rather than
# in Cargo.toml so that local release builds keep `debug = "line-tables-only"` for
# profiling; as ENV, both cargo runs below use the same profile and the dependency
# layer is reused by the second.
ENV CARGO_PROFILE_RELEASE_DEBUG=false \
    CARGO_PROFILE_RELEASE_STRIP=true

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

FROM docker.io/library/debian:bookworm-slim AS runtime
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
# The server's own probe: GET /health at the port of SCHEMAGATE_LISTEN, over HTTPS when
# SCHEMAGATE_TLS_CERT is set (pinned to that certificate); no curl in the image.
HEALTHCHECK --interval=10s --timeout=5s --start-period=5s --retries=3 \
    CMD ["/usr/local/bin/schemagate-server", "healthcheck"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/schemagate-server"]
