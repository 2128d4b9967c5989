# syntax=docker/dockerfile:1
#
# The Switchyard image: one image for both roles, chosen by the first argument —
# `operator` (the operator) or `serve --kube` (a proxy in cluster mode); the Helm chart passes them.
#
#   docker build -t ghcr.io/switchyard-dev/switchyard:0.1.0 .
#   docker run --rm ghcr.io/switchyard-dev/switchyard:0.1.0 --help
#
# Without Docker, `npm run image` builds the same image (scripts/image/): this file runs that
# script's root-filesystem step in a Node image and copies the result into an empty one, and
# test/image/dockerfile.test.ts checks that the settings below match scripts/image/image-spec.ts.
# The root filesystem holds Debian's libc, libstdc++, libgcc and libatomic, the Node binary, and
# the sources compiled to JavaScript (type stripping would cost every pod ~25 MB of RSS) with the
# production node_modules: no shell, no package manager, nothing writable.
#
# NODE_VERSION follows the `node` dependency pinned in package.json.
ARG NODE_VERSION=26.10.0

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: the one install script among the dependencies is that of the `node` package
# (the project's pinned Node for npm scripts), which downloads a second Node binary the base image
# already provides; the image ships the base image's /usr/local/bin/node, the same release.
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts --no-audit --no-fund
# Package lists, for `apt-get download` of the Debian libraries.
RUN apt-get update -qq
COPY tsconfig.json tsconfig.build.json ./
COPY core ./core
COPY proxy ./proxy
COPY operator ./operator
COPY cli ./cli
COPY scripts/image ./scripts/image
RUN node scripts/image/build-image.ts --rootfs /rootfs --node /usr/local/bin/node

FROM scratch
COPY --from=build /rootfs /
LABEL org.opencontainers.image.title="switchyard" \
      org.opencontainers.image.description="Kubernetes-native LLM router: operator and proxy" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="0.1.0"
# MALLOC_ARENA_MAX: glibc gives each thread that allocates (V8's compiler and GC threads, libuv's
# pool) an arena of its own and keeps what they free; two arenas hold ~1.5 MB less of an idle
# proxy's RSS (bench/memory.ts, which starts Switchyard with these ENV lines).
ENV NODE_ENV=production MALLOC_ARENA_MAX=2
WORKDIR /app
# Everything is owned by root and read-only to the process; the chart also mounts the root
# filesystem read-only. The user goes by number: Kubernetes can only verify runAsNonRoot against
# a numeric user.
USER 1000:1000
# 8080 proxy API, 9090 proxy metrics, 8081 operator health and metrics.
EXPOSE 8080 9090 8081
ENTRYPOINT ["/usr/local/bin/node", "/app/dist/cli/main.js"]
CMD ["--help"]
